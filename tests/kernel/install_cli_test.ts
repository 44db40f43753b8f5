import assert from "node:assert/strict";
import { assertIncludes } from "./_assert.ts";
import { install } from "../../kernel/install.ts";

// `deno task kernel:install` as users run it: from a subfolder of the
// project and from outside it, with --env, --sys-prefix and relative paths,
// and a kernelspec whose deno has gone.
const ROOT = new URL("../../", import.meta.url).pathname;
const CONFIG = `${ROOT}deno.json`;

function withoutInitCwd(): Record<string, string> {
  const { INIT_CWD: _, ...rest } = Deno.env.toObject();
  return rest;
}

async function task(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "--config", CONFIG, "kernel:install", ...args],
    cwd,
    // A fresh environment without INIT_CWD: an outer `deno task` (the test
    // task) sets it, and deno task keeps one it inherits, so the child would
    // read relative paths from the project's root, not from `cwd`.
    clearEnv: true,
    env: { ...withoutInitCwd(), NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

async function readSpec(prefix: string): Promise<
  { argv: string[]; env?: Record<string, string> }
> {
  return JSON.parse(
    await Deno.readTextFile(
      `${prefix}/share/jupyter/kernels/deno-webgpu/kernel.json`,
    ),
  );
}

Deno.test("kernel:install works from a subfolder and from outside the project, reading a relative --prefix from there", async () => {
  const outside = await Deno.makeTempDir({ prefix: "deno-webgpu-cwd-" });
  try {
    const fromOutside = await task(outside, ["--prefix", "env-a"]);
    assert.equal(fromOutside.code, 0, fromOutside.output);
    assert.ok((await readSpec(`${outside}/env-a`)).argv.includes(
      `${ROOT}kernel/main.ts`,
    ));
    const fromNotebooks = await task(`${ROOT}notebooks`, [
      "--prefix",
      `${outside}/env-b`,
    ]);
    assert.equal(fromNotebooks.code, 0, fromNotebooks.output);
    await readSpec(`${outside}/env-b`);
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("kernel:install --env writes the environment into the kernelspec, --sys-prefix uses the active venv", async () => {
  const venv = await Deno.makeTempDir({ prefix: "deno-webgpu-venv-" });
  try {
    const run = await task(venv, [
      "--sys-prefix",
      "--env",
      "ALEXNET_SIZE=small",
      "--env",
      "EXTRA=a=b",
    ], { VIRTUAL_ENV: venv });
    assert.equal(run.code, 0, run.output);
    assertIncludes(run.output, `${venv}/share/jupyter/kernels/deno-webgpu`);
    assert.deepEqual((await readSpec(venv)).env, {
      ALEXNET_SIZE: "small",
      EXTRA: "a=b",
    });
    const bad = await task(venv, ["--env", "ALEXNET_SIZE"], {
      VIRTUAL_ENV: venv,
    });
    assert.equal(bad.code, 2);
    assertIncludes(bad.output, "--env takes KEY=VALUE");
  } finally {
    await Deno.remove(venv, { recursive: true });
  }
});

Deno.test("kernel:install --sys-prefix without an active venv says how to fix it", async () => {
  const env = { VIRTUAL_ENV: "", CONDA_PREFIX: "" };
  const { code, output } = await task(ROOT, ["--sys-prefix"], env);
  assert.equal(code, 2);
  assertIncludes(output, "--sys-prefix needs an active virtual environment");
});

Deno.test("a kernelspec whose deno is gone exits with a message naming the file and the fix", async () => {
  const prefix = await Deno.makeTempDir({ prefix: "deno-webgpu-gone-" });
  try {
    const gone = `${prefix}/old-deno/deno`;
    await install({ prefix, deno: gone });
    const { argv } = await readSpec(prefix);
    // What Jupyter runs, with {connection_file} filled in.
    const command = argv.map((a) =>
      a === "{connection_file}" ? `${prefix}/c.json` : a
    );
    const { code, stderr } = await new Deno.Command(command[0], {
      args: command.slice(1),
      stdin: "null",
    }).output();
    assert.equal(code, 127);
    const message = new TextDecoder().decode(stderr);
    assertIncludes(message, `(${gone}) is gone`);
    assertIncludes(message, "deno task kernel:install");
  } finally {
    await Deno.remove(prefix, { recursive: true });
  }
});
