import assert from "node:assert/strict";
import { install, kernelSpec, uninstall } from "../../kernel/install.ts";

// What `jupyter kernelspec list --json` prints (Debian ships that subcommand
// in another package; the jupyter_client API behind it is here).
const LIST_SPECS =
  "import json; from jupyter_client.kernelspec import KernelSpecManager; " +
  "print(json.dumps(KernelSpecManager().get_all_specs()))";

Deno.test("install() writes a kernelspec that jupyter_client lists, and uninstall() removes it", async () => {
  const prefix = await Deno.makeTempDir({ prefix: "deno-webgpu-install-" });
  const list = async () => {
    const { stdout } = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", LIST_SPECS],
      env: {
        JUPYTER_PATH: `${prefix}/share/jupyter`,
        JUPYTER_DATA_DIR: `${prefix}/data`,
      },
    }).output();
    return JSON.parse(new TextDecoder().decode(stdout));
  };
  try {
    const folder = await install({
      prefix,
      permissions: "--allow-read --allow-net=localhost",
    });
    const listed = (await list())["deno-webgpu"];
    assert.equal(listed.resource_dir, folder);
    assert.equal(listed.spec.display_name, "Deno WebGPU (TypeScript)");
    assert.equal(listed.spec.language, "typescript");
    assert.equal(listed.spec.interrupt_mode, "message");
    assert.ok(
      listed.spec.argv.includes(
        "--permissions=--allow-read --allow-net=localhost",
      ),
    );
    assert.ok((await Deno.stat(`${folder}/logo-64x64.png`)).size > 0);
    assert.equal(await uninstall(prefix), folder);
    assert.equal((await list())["deno-webgpu"], undefined);
    assert.equal(await uninstall(prefix), null);
  } finally {
    await Deno.remove(prefix, { recursive: true });
  }
});

Deno.test("kernelSpec() runs this checkout's kernel with its config and a log file when asked", () => {
  const spec = kernelSpec({ log: "/tmp/kernel.log" }) as { argv: string[] };
  assert.ok(spec.argv.some((arg) => arg.endsWith("/kernel/main.ts")));
  assert.ok(spec.argv.includes("{connection_file}"));
  assert.ok(spec.argv.includes("--log=/tmp/kernel.log"));
  assert.ok(spec.argv.includes("--permissions=--allow-all"));
  assert.equal("env" in spec, false);
});

Deno.test("kernelSpec() puts the type check mode into the spec's env, beside --env values", () => {
  const spec = kernelSpec({
    typecheck: "error",
    env: { ALEXNET_SIZE: "small" },
  }) as { env: Record<string, string> };
  assert.deepEqual(spec.env, {
    ALEXNET_SIZE: "small",
    DENO_WEBGPU_TYPECHECK: "error",
  });
});
