import assert from "node:assert/strict";
import { install } from "../../kernel/install.ts";
import { privateJupyterEnv, venvBin } from "./_jupyter_venv.ts";

// jupyter_kernel_test (upstream's conformance suite, from the project's .venv)
// with TypeScript samples for every test it has: kernel_test_suite.py.
Deno.test("the upstream jupyter_kernel_test suite passes with TypeScript samples, the pager included", async () => {
  const python = venvBin("python");
  const prefix = await Deno.makeTempDir({ prefix: "deno-webgpu-jkt-" });
  try {
    await install({ prefix });
    const { code, stdout, stderr } = await new Deno.Command(python, {
      args: [new URL("kernel_test_suite.py", import.meta.url).pathname],
      cwd: prefix,
      stdin: "null",
      env: privateJupyterEnv(prefix),
    }).output();
    const report = new TextDecoder().decode(stdout) +
      new TextDecoder().decode(stderr);
    assert.equal(code, 0, report);
    assert.match(report, /test_pager \(.*\) \.\.\. ok/);
    assert.doesNotMatch(report, /skipped/, report);
  } finally {
    await Deno.remove(prefix, { recursive: true });
  }
});
