/**
 * Checks an op records on the GPU and the host reports at the next readback,
 * so that validating tensor inputs (class labels) costs no readback per
 * step: each op keeps one count of bad values, a 1-element tensor that later
 * steps add to, and `data()` reads the counts once after its own read.
 *
 * @module
 */
import type { Tensor } from "./tensor.ts";
import { keep } from "./scope.ts";

interface Pending {
  count: Tensor;
  message: (count: number) => string;
}

const pending = new Map<string, Pending>();

/**
 * Adds `count` (a 1-element tensor of bad values, owned from here on) to
 * `op`'s pending check; a nonzero total raises a RangeError of
 * `message(total)` at the next readback.
 */
export function deferCheck(
  op: string,
  count: Tensor,
  message: (count: number) => string,
): void {
  const before = pending.get(op);
  keep(count);
  if (!before) {
    pending.set(op, { count, message });
    return;
  }
  const total = keep(before.count.add(count));
  before.count.dispose();
  count.dispose();
  pending.set(op, { count: total, message });
}

/** Reads every pending count (then forgets them) and throws for the first nonzero one. */
export async function reportDeferred(
  read: (t: Tensor) => Promise<Float32Array>,
): Promise<void> {
  if (pending.size === 0) return;
  const checks = [...pending.values()];
  pending.clear();
  let failure: string | undefined;
  for (const { count, message } of checks) {
    const [n] = await read(count);
    count.dispose();
    if (n !== 0 && failure === undefined) failure = message(n);
  }
  if (failure !== undefined) throw new RangeError(failure);
}
