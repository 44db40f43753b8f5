/**
 * Reverse-mode automatic differentiation: each differentiable op records a
 * node holding its inputs, the tensors its gradient needs, and its
 * vector-Jacobian product; `backward()` walks the nodes in reverse
 * topological order, adds into `.grad` of the leaves, then frees the graph.
 *
 * @module
 */
// The seam's Tensor type: backward() adds gradients with its `add` method
// (a type-only import, so no runtime edge from the core to the ops).
import type { Tensor } from "../tensor.ts";
import { keep } from "./scope.ts";

/** Maps the output gradient to one gradient per input (`null`: none needed). */
export type VectorJacobian = (
  grad: Tensor,
  saved: Tensor[],
) => (Tensor | null)[];

/** One recorded op of the graph. */
export class Node {
  #saved: Tensor[] | undefined;

  constructor(
    /** The op's name, for errors and `gradFn`'s text. */
    readonly name: string,
    /** The op's tensor inputs, in order. */
    readonly inputs: readonly Tensor[],
    readonly vjp: VectorJacobian,
    saved: Tensor[],
  ) {
    // Saved tensors share their data through handles of their own, so that
    // freeing the forward's tensors (a tidy scope) keeps what backward needs.
    this.#saved = saved.map((t) => keep(t.handle()));
  }

  /** Runs the vector-Jacobian product; a node runs once, then frees what it saved. */
  apply(grad: Tensor): (Tensor | null)[] {
    if (!this.#saved) {
      throw new Error(
        `Cannot backward through ${this.name} a second time: the graph was freed by the first backward()`,
      );
    }
    return this.vjp(grad, this.#saved);
  }

  /** Frees the saved tensors. */
  free(): void {
    for (const t of this.#saved ?? []) t.dispose();
    this.#saved = undefined;
  }
}

let gradEnabled = true;

/** Whether ops currently record gradients. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording gradients (evaluation, parameter updates).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { noGrad, ones } from "../mod.ts";
 * const w = ones([2], { requiresGrad: true });
 * const y = noGrad(() => w.mul(2));
 * assert.ok(!y.requiresGrad);
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  // Synchronous, as a scope must be: code after an await in an async fn runs
  // with the setting of whoever resumes it.
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Sets whether ops record gradients, returning the previous setting. */
export function setGradEnabled(enabled: boolean): boolean {
  const previous = gradEnabled;
  gradEnabled = enabled;
  return previous;
}

/**
 * Attaches a node to `output` when recording and some input needs a
 * gradient; returns `output`.
 */
export function record(
  name: string,
  inputs: readonly Tensor[],
  output: Tensor,
  vjp: VectorJacobian,
  saved: Tensor[] = [],
): Tensor {
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    output.gradFn = new Node(name, inputs, vjp, saved);
    output.requiresGrad = true;
  }
  return output;
}

/** Nodes reachable from `root`, each after every node that consumes its output. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative DFS: AlexNet's graph is shallow, but a long loop's need not be.
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [tensor, next] = top;
    const inputs = tensor.gradFn?.inputs ?? [];
    if (next < inputs.length) {
      top[1]++;
      const input = inputs[next];
      if (input.gradFn && !visited.has(input)) {
        visited.add(input);
        stack.push([input, 0]);
      }
    } else {
      stack.pop();
      order.push(tensor);
    }
  }
  return order.reverse();
}

/**
 * Back-propagates from `root` (a scalar, or any shape with `grad` of the
 * same shape), accumulating into `.grad` of the leaves that require it,
 * then frees the graph. `grad` stays the caller's.
 */
export function backward(root: Tensor, grad: Tensor): void {
  const grads = new Map<Tensor, Tensor>([[root, grad.handle()]]);
  const order = topologicalOrder(root);
  const previous = setGradEnabled(false);
  try {
    for (const tensor of order) {
      const node = tensor.gradFn!;
      const g = grads.get(tensor);
      grads.delete(tensor);
      if (!g) continue; // no path from the root reached this node
      const inputGrads = node.apply(g);
      node.free();
      // A vjp may pass `g` through, or return one tensor twice (x + x): each
      // use gets a handle of its own so that every gradient is owned once.
      const owned = new Set<Tensor>();
      inputGrads.forEach((ig, k) => {
        if (!ig) return;
        const input = node.inputs[k];
        const mine = ig === g || owned.has(ig) ? ig.handle() : ig;
        owned.add(ig);
        if (!input.requiresGrad) return mine.dispose();
        if (mine.shape.join() !== input.shape.join()) {
          throw new Error(
            `Gradient of ${node.name} has shape [${mine.shape}] for an input of shape [${input.shape}] (a bug in its vjp)`,
          );
        }
        if (!input.gradFn) return accumulateLeaf(input, mine);
        const existing = grads.get(input);
        if (!existing) return void grads.set(input, mine);
        grads.set(input, existing.add(mine));
        existing.dispose();
        mine.dispose();
      });
      g.dispose();
    }
  } finally {
    setGradEnabled(previous);
    for (const g of grads.values()) g.dispose();
    for (const tensor of order) tensor.gradFn?.free();
  }
}

/** Adds `g` (taken over) into a leaf's `.grad`, which outlives tidy scopes. */
export function accumulateLeaf(leaf: Tensor, g: Tensor): void {
  if (!leaf.grad) {
    leaf.grad = keep(g);
    return;
  }
  const sum = leaf.grad.add(g);
  leaf.grad.dispose();
  g.dispose();
  leaf.grad = keep(sum);
}
