import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("every notebook executes through the kernel with a real Jupyter client and shows what it promises", async () => {
  const out = await Deno.makeTempDir({ prefix: "notebooks-" });
  const run = await new Deno.Command("/usr/bin/python3", {
    args: ["tools/run_notebooks.py", "--out", out, "--size", "small"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit", // the runner's progress lines reach the CI log as they come
  }).output();
  const report = new TextDecoder().decode(run.stdout);
  console.log(report);
  assert.equal(
    run.code,
    0,
    `notebook run failed (its progress and errors are above):\n${report}`,
  );
  for (
    const name of [
      "01_tensors_on_webgpu",
      "02_alexnet_architecture",
      "03_data_augmentation",
      "04_training_alexnet",
      "05_ablations",
    ]
  ) {
    assert.match(report, new RegExp(`ok +${name}\\.ipynb`));
    await Deno.stat(`${out}/html/${name}.html`);
  }
});
