/**
 * The optimizer base: parameter groups with their options, `zeroGrad()`,
 * per-parameter state, and the in-place fused update every `step()` uses.
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import { keep } from "../core/scope.ts";

/** Options every optimizer has. */
export interface OptimizerOptions {
  /** Learning rate. */
  lr?: number;
}

/** A group of parameters sharing options (the learning rate a scheduler changes). */
export interface ParamGroup<O> {
  params: Tensor[];
  options: Required<O>;
}

/** Parameters as a list, or groups each with their own option overrides. */
export type Params<O> = Iterable<Tensor> | {
  params: Iterable<Tensor>;
  options?: O;
}[];

/** Base of SGD, Adam, AdamW. */
export abstract class Optimizer<O extends OptimizerOptions> {
  readonly paramGroups: ParamGroup<O>[];
  /** Per-parameter state (momentum buffers, moments), kept out of tidy scopes. */
  protected readonly state = new Map<Tensor, Record<string, Tensor | number>>();

  constructor(params: Params<O>, defaults: Required<O>) {
    const list = [
      ...params,
    ] as (Tensor | { params: Iterable<Tensor>; options?: O })[];
    const groups = list.length && !("shape" in list[0])
      ? (list as { params: Iterable<Tensor>; options?: O }[])
      : [{ params: list as Tensor[], options: {} as O }];
    this.paramGroups = groups.map((g) => ({
      params: [...g.params],
      options: { ...defaults, ...g.options },
    }));
    const all = this.paramGroups.flatMap((g) => g.params);
    if (all.length === 0) {
      throw new TypeError(
        `${this.constructor.name} got an empty parameter list: pass model.parameters()`,
      );
    }
    for (const group of this.paramGroups) this.validate(group.options);
    const seen = new Set<Tensor>();
    all.forEach((p, i) => {
      if (seen.has(p)) {
        throw new TypeError(
          `${this.constructor.name} got parameter ${i} of shape [${p.shape}] twice: give each parameter once`,
        );
      }
      seen.add(p);
    });
    // A frozen leaf (requiresGrad = false) is accepted, as PyTorch's
    // optimizers accept it, and skipped by step().
    all.forEach((p, i) => {
      if (p.gradFn) {
        throw new TypeError(
          `${this.constructor.name} can only optimize leaf tensors: parameter ${i} of shape [${p.shape}] is the result of an op`,
        );
      }
    });
  }

  /** Checks a group's options; subclasses add their own checks. */
  protected validate(options: Required<O>): void {
    const lr = options.lr as number;
    if (!(lr >= 0 && lr < Infinity)) {
      throw new RangeError(
        `${this.constructor.name} got learning rate ${lr}: it must be a finite number, 0 or more`,
      );
    }
  }

  /** The first group's learning rate. */
  get lr(): number {
    return this.paramGroups[0].options.lr as number;
  }

  /** Sets every group's learning rate. */
  set lr(value: number) {
    for (const group of this.paramGroups) {
      this.validate({ ...group.options, lr: value });
    }
    for (const group of this.paramGroups) group.options.lr = value;
  }

  /** Frees and clears every parameter's gradient. */
  zeroGrad(): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        p.grad?.dispose();
        p.grad = null;
      }
    }
  }

  /** Updates every parameter that has a gradient and is not frozen. */
  step(): void {
    // A scheduler or the caller may have written group.options directly.
    for (const group of this.paramGroups) this.validate(group.options);
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (!p.grad || !p.requiresGrad) continue;
        let state = this.state.get(p);
        if (!state) this.state.set(p, state = {});
        this.update(p, p.grad, state, group.options);
      }
    }
  }

  /** Updates one parameter in place. */
  protected abstract update(
    p: Tensor,
    grad: Tensor,
    state: Record<string, Tensor | number>,
    options: Required<O>,
  ): void;

  /** A state tensor that lives as long as the optimizer. */
  protected keepState(t: Tensor): Tensor {
    return keep(t);
  }
}
