/**
 * Deterministic freeing: `tidy(fn)` frees every tensor made inside `fn`
 * except those it returns, so a training step leaves GPU memory as it found
 * it. Tensors made outside any scope live until `dispose()` (or `using`),
 * or until the garbage collector finds them unreachable.
 *
 * @module
 */

/** What a scope tracks: anything that can be disposed, maybe with a recorded op. */
export interface Disposable {
  dispose(): void;
  gradFn?: GraphNode | null;
}

/** The part of an autograd node a scope needs: its inputs, and freeing what it saved. */
export interface GraphNode {
  readonly inputs: readonly Disposable[];
  free(): void;
}

/** Nodes reachable from `roots` through their inputs. */
function reachableNodes(roots: Iterable<unknown>): Set<GraphNode> {
  const seen = new Set<GraphNode>();
  const stack: GraphNode[] = [];
  for (const root of roots) {
    const node = (root as Disposable).gradFn;
    if (node && !seen.has(node)) seen.add(node), stack.push(node);
  }
  while (stack.length) {
    for (const input of stack.pop()!.inputs) {
      const node = input.gradFn;
      if (node && !seen.has(node)) seen.add(node), stack.push(node);
    }
  }
  return seen;
}

const scopes: Set<Disposable>[] = [];

/** Registers a new tensor with the innermost scope, if any. */
export function track(value: Disposable): void {
  scopes.at(-1)?.add(value);
}

/** Removes a tensor from the scopes so that it outlives them (gradients, optimizer state). */
export function keep<T extends Disposable>(value: T): T {
  for (const scope of scopes) scope.delete(value);
  return value;
}

function collectReturned(value: unknown, found: Set<unknown>, depth = 0): void {
  if (value === null || typeof value !== "object" || depth > 3) return;
  if (
    "dispose" in value && typeof (value as Disposable).dispose === "function"
  ) found.add(value);
  if (Array.isArray(value)) {
    for (const item of value) collectReturned(item, found, depth + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) {
      collectReturned(item, found, depth + 1);
    }
  }
}

/**
 * Runs `fn` and frees the tensors it made, except those in its result (a
 * tensor, or arrays and plain objects holding tensors), which move to the
 * enclosing scope.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memory, randn, tidy } from "../mod.ts";
 * const before = memory().bytesInUse;
 * const total = tidy(() => randn([100]).exp().sum());
 * total.dispose();
 * assert.equal(memory().bytesInUse, before);
 * ```
 * @throws {TypeError} When `fn` is async: a scope cannot span an `await`.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scopes.pop();
    for (const value of scope) value.dispose();
    throw error;
  }
  scopes.pop();
  const parent = scopes.at(-1);
  if (result instanceof Promise) {
    for (const value of scope) parent?.add(value); // still in use by the running function
    throw new TypeError(
      "Cannot tidy an async function: tensors made after its first await escape the scope",
    );
  }
  const returned = new Set<unknown>();
  collectReturned(result, returned);
  // The graph behind a freed tensor that no returned tensor leads to can
  // never be back-propagated: free what its nodes saved now, not at GC.
  const live = reachableNodes(returned);
  for (const value of scope) {
    if (returned.has(value)) {
      parent?.add(value);
      continue;
    }
    value.dispose();
    if (value.gradFn && !live.has(value.gradFn)) value.gradFn.free();
  }
  return result;
}
