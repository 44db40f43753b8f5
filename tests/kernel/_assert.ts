/** Small assertions the kernel tests share, on top of node:assert. */
import assert from "node:assert/strict";

/**
 * Asserts that text contains part.
 *
 * @param text the text
 * @param part what it must contain
 */
export function assertIncludes(text: string, part: string): void {
  assert.ok(
    text.includes(part),
    `Expected ${JSON.stringify(part)} in:\n${text}`,
  );
}

/**
 * Asserts that fn throws an instance of kind whose message contains part.
 *
 * @param fn the code
 * @param kind the error class
 * @param part a piece of the message
 */
export function assertThrowsWith(
  fn: () => unknown,
  kind: ErrorConstructor,
  part: string,
): void {
  assert.throws(
    fn,
    (error: unknown) => error instanceof kind && error.message.includes(part),
  );
}
