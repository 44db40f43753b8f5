/**
 * Runs the Python halves of the kernel's end-to-end tests with Debian's
 * python3 (/usr/bin/python3, which has jupyter_client, nbclient and nbformat)
 * against a kernelspec installed into a temporary prefix, never the user's.
 */
import { install } from "../../kernel/install.ts";
import { privateJupyterEnv } from "./_jupyter_venv.ts";

/** What a Python check printed and how it ended. */
export interface PythonRun {
  code: number;
  output: string;
}

/**
 * Installs the kernelspec in a temporary prefix and runs a script there.
 *
 * @param script a file in tests/kernel/
 * @param args arguments after the notebook folder
 * @param options log: the default kernelspec writes a kernel log, whose path
 *   the script finds in $DENO_WEBGPU_TEST_KERNEL_LOG
 * @returns exit code and combined output
 */
export async function runPythonCheck(
  script: string,
  args: string[] = [],
  options: { log?: boolean } = {},
): Promise<PythonRun> {
  const prefix = await Deno.makeTempDir({ prefix: "deno-webgpu-kernelspec-" });
  const notebooks = await Deno.makeTempDir({ prefix: "deno-webgpu-notebook-" });
  const log = options.log ? `${prefix}/kernel.log` : undefined;
  try {
    await install({ prefix, log });
    await install({
      prefix,
      name: "deno-webgpu-restricted",
      permissions: "--allow-read",
    });
    const { code, stdout, stderr } = await new Deno.Command(
      "/usr/bin/python3",
      {
        args: [new URL(script, import.meta.url).pathname, notebooks, ...args],
        cwd: notebooks,
        stdin: "null",
        env: {
          ...privateJupyterEnv(prefix),
          ...(log ? { DENO_WEBGPU_TEST_KERNEL_LOG: log } : {}),
        },
      },
    ).output();
    const decoder = new TextDecoder();
    return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
  } finally {
    await Deno.remove(prefix, { recursive: true });
    await Deno.remove(notebooks, { recursive: true });
  }
}
