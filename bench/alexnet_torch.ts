/**
 * Runs bench/alexnet_torch.py (PyTorch on the CPU, 2 threads) and returns
 * its median wall and CPU milliseconds per training step, or NaNs with a
 * note when PyTorch is not installed (bash bench/setup_torch.sh installs it).
 *
 * @module
 */

/**
 * @param batch images per step
 * @param steps timed steps after one warm-up
 * @returns median milliseconds per step (wall, CPU), NaN when PyTorch cannot run
 */
export async function torchAlexnetStep(
  batch: number,
  steps: number,
): Promise<{ ms: number; cpuMs: number }> {
  const script = new URL("./alexnet_torch.py", import.meta.url).pathname;
  try {
    const { success, stdout, stderr } = await new Deno.Command(
      "/usr/bin/python3",
      { args: [script, String(batch), String(steps), "2"] },
    ).output();
    if (!success) throw new Error(new TextDecoder().decode(stderr).trim());
    const lines = new TextDecoder().decode(stdout).trim().split("\n");
    const result = JSON.parse(lines[lines.length - 1]);
    return { ms: result.ms, cpuMs: result.cpu_ms };
  } catch (error) {
    console.error(
      `PyTorch step not measured (${error}): run bash bench/setup_torch.sh`,
    );
    return { ms: NaN, cpuMs: NaN };
  }
}
