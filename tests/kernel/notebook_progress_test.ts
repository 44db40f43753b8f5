import assert from "node:assert/strict";
import { assertIncludes } from "./_assert.ts";
import { runPythonCheck } from "./_python.ts";

// tools/notebook_progress.py (used by tools/run_notebooks.py, the main job)
// reads a training cell's progress from the display updates the real
// lib/train/live.ts sends, through the kernel, with nbclient.
Deno.test("ProgressClient prints the cell, elapsed time and a training's epoch, batch, loss, rate and ETA", async () => {
  const live = new URL("../../lib/train/live.ts", import.meta.url).pathname;
  const { code, output } = await runPythonCheck("progress_run.py", [live]);
  assert.equal(code, 0, output);
  const lines = output.split("\n");
  assert.ok(
    lines.some((line) => /^progress-check cell 1\/2 `import/.test(line)),
    output,
  );
  const training = lines.filter((line) =>
    /^progress-check cell 2\/2 `const view.*` \| \d+s \(cell \d+s\) \| epoch 1\/2, batch \d+\/10, loss [0-9.]+, 40\.0 examples\/s, ETA \d+s$/
      .test(line)
  );
  assert.ok(training.length >= 1, output);
  // The progress bar is still in the saved notebook, as nbclient users see it.
  assertIncludes(output, "epoch 1/2, batch 10/10: loss 0.1000");
});
