/**
 * Runs a Python script that drives kernels through jupyter_client, against
 * kernelspecs installed under `prefix`, and returns the JSON object it prints
 * last (figures per kernel name): what the round-trip benches share.
 */
export async function runKernelClients(
  python: string,
  script: string,
  prefix: string,
  kernels: string[],
): Promise<Record<string, Record<string, number>>> {
  const { code, stdout, stderr } = await new Deno.Command(python, {
    args: ["-c", script, ...kernels],
    env: {
      JUPYTER_PATH: `${prefix}/share/jupyter`,
      JUPYTER_RUNTIME_DIR: `${prefix}/runtime`,
    },
    cwd: prefix,
    stdin: "null",
  }).output();
  if (code !== 0) {
    throw new Error(
      `The benchmark failed:\n${new TextDecoder().decode(stderr)}`,
    );
  }
  return JSON.parse(
    new TextDecoder().decode(stdout).trim().split("\n").at(-1)!,
  );
}
