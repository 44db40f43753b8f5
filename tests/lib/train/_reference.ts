/**
 * Reading the PyTorch reference files that tools/make_references.sh writes
 * into tests/lib/fixtures/: a missing file, or one made for another setting,
 * fails with the command that regenerates it.
 */
import assert from "node:assert/strict";

/** The one command that regenerates every reference file. */
export const REGENERATE = "bash tools/make_references.sh";

/**
 * The JSON reference `name` from tests/lib/fixtures, checked to be for
 * `setting` at `section` (e.g. "steps20").
 */
export async function readReference<T extends { setting: unknown }>(
  name: string,
  section: string,
  setting: Record<string, unknown>,
): Promise<T> {
  const path = new URL(`../fixtures/${name}`, import.meta.url).pathname;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(
      `Missing PyTorch reference ${path} (${error}): run ${REGENERATE}`,
    );
  }
  const part = JSON.parse(text)[section] as T | undefined;
  assert.ok(part, `${path} has no "${section}" section: run ${REGENERATE}`);
  assert.deepEqual(
    part.setting,
    setting,
    `${path} "${section}" was made for another setting than this test runs: run ${REGENERATE}`,
  );
  return part;
}

/** |a - b| <= rtol * scale, with scale = |b| unless given. */
export function close(
  a: number,
  b: number,
  rtol: number,
  scale = Math.abs(b),
): boolean {
  return Math.abs(a - b) <= rtol * Math.max(scale, 1e-12);
}
