/**
 * `Module`: the base of every layer and model. A module is a plain class:
 * parameters made in its constructor as fields, `forward(x)`, and the rest
 * (parameters, children, train/eval, state dicts, display) found by walking
 * its own fields, as PyTorch's nn.Module does through `__setattr__`.
 *
 * @module
 */
import { Tensor } from "../tensor.ts";
import { noGrad } from "../core/autograd.ts";
import { keep } from "../core/scope.ts";
import { DISPLAY, escapeHtml } from "../display.ts";
import { showShape } from "../core/shape.ts";

/** Parameters and buffers by dotted name, as `stateDict()` returns them. */
export type StateDict = Record<string, Tensor>;

// Tensors made by parameter(): they stay parameters when frozen
// (requiresGrad = false), as a torch.nn.Parameter does.
const parameters = new WeakSet<Tensor>();

/** Marks a tensor as a parameter: a leaf that collects gradients and outlives tidy scopes. */
export function parameter(t: Tensor): Tensor {
  t.requiresGrad = true;
  parameters.add(t);
  return keep(t);
}

/** Whether a module's tensor field is a parameter: made by `parameter()`, or collecting gradients. */
function isParameter(t: Tensor): boolean {
  return parameters.has(t) || t.requiresGrad;
}

/** The base class of layers and models. */
export abstract class Module {
  /** True in training mode (dropout active); `eval()` clears it. */
  training = true;

  /** Applies the module. */
  abstract forward(input: Tensor, ...rest: never[]): Tensor;

  /** The arguments shown in the module's text form, e.g. `1, 96, kernelSize=[11, 11]`. */
  extraRepr(): string {
    return "";
  }

  /** Direct submodules by field name (array items as `name.index`, Sequential's as `index`). */
  namedChildren(): [string, Module][] {
    const children: [string, Module][] = [];
    for (const [name, value] of Object.entries(this)) {
      if (value instanceof Module) children.push([name, value]);
      else if (Array.isArray(value)) {
        value.forEach((item, i) => {
          if (item instanceof Module) {
            children.push([this.childName(name, i), item]);
          }
        });
      }
    }
    return children;
  }

  /** How an array field's item is named; Sequential drops the field name, as PyTorch's does. */
  protected childName(field: string, index: number): string {
    return `${field}.${index}`;
  }

  /** Direct submodules. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and all below it, depth first, with dotted names. */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) {
      out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    }
    return out;
  }

  /** This module and all below it. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Own tensor fields: parameters (requiresGrad) and buffers. */
  #ownTensors(): [string, Tensor][] {
    return Object.entries(this).filter(([, value]) =>
      value instanceof Tensor
    ) as [string, Tensor][];
  }

  /**
   * Every parameter with its dotted name (`0.weight`, `features.3.bias`);
   * a frozen one (`requiresGrad = false`) stays, as in PyTorch.
   */
  namedParameters(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, module] of this.namedModules(prefix)) {
      for (const [field, t] of module.#ownTensors()) {
        if (isParameter(t)) out.push([name ? `${name}.${field}` : field, t]);
      }
    }
    return out;
  }

  /** Every parameter. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Number of parameter values. */
  numParameters(): number {
    return this.parameters().reduce((total, p) => total + p.numel, 0);
  }

  /** Sets training mode on this module and all below (dropout active when true). */
  train(mode = true): this {
    for (const module of this.modules()) module.training = mode;
    return this;
  }

  /** Sets evaluation mode (dropout off). */
  eval(): this {
    return this.train(false);
  }

  /** Frees and clears the gradients of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Calls `fn` on every module below and this one (children first), as PyTorch's apply. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Parameters and buffers by dotted name; the tensors are the module's own (not copies). */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, module] of this.namedModules()) {
      for (const [field, t] of module.#ownTensors()) {
        out[name ? `${name}.${field}` : field] = t;
      }
    }
    return out;
  }

  /**
   * Copies values from `state` into this module's tensors. Every key must
   * be present with the same shape (unless `strict: false` allows missing
   * and unexpected keys); on any error nothing is changed.
   */
  loadStateDict(state: StateDict, options: { strict?: boolean } = {}): void {
    const strict = options.strict ?? true;
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in state));
    const unexpected = Object.keys(state).filter((k) => !(k in own));
    if (strict && (missing.length || unexpected.length)) {
      const parts = [];
      if (missing.length) parts.push(`missing keys ${missing.join(", ")}`);
      if (unexpected.length) {
        parts.push(`unexpected keys ${unexpected.join(", ")}`);
      }
      throw new TypeError(
        `Cannot load state dict into ${this.constructor.name}: ${
          parts.join("; ")
        }`,
      );
    }
    // Everything is checked before anything is written, so an error leaves
    // the module as it was.
    for (const [key, target] of Object.entries(own)) {
      const source: unknown = state[key];
      if (source === undefined) continue;
      if (!(source instanceof Tensor)) {
        throw new TypeError(
          `Cannot load state dict: ${key} is ${
            source === null ? "null" : typeof source
          }, not a Tensor`,
        );
      }
      if (source.disposed || target.disposed) {
        throw new Error(
          `Cannot load state dict: ${key} is a disposed tensor ${
            source.disposed ? "in the state dict" : "in the model"
          }`,
        );
      }
      if (source.shape.join() !== target.shape.join()) {
        throw new TypeError(
          `Cannot load state dict: ${key} has shape ${
            showShape(source.shape)
          } in the file and ${showShape(target.shape)} in the model`,
        );
      }
    }
    noGrad(() => {
      for (const [key, target] of Object.entries(own)) {
        if (state[key]) target.assign(state[key]);
      }
    });
  }

  /** PyTorch-style multi-line text form. */
  toString(): string {
    const children = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (!children.length) return `${head})`;
    const lines = children.map(([name, child]) =>
      `  (${name}): ${String(child).replaceAll("\n", "\n  ")}`
    );
    return `${head}\n${lines.join("\n")}\n)`;
  }

  /** console.log shows the text form. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  /** Notebook display: the text form and an HTML table of the layers with parameter counts. */
  [DISPLAY](): Record<string, string> {
    const rows = this.namedModules().slice(1).filter(([, m]) =>
      m.namedChildren().length === 0
    ).map(([name, m]) => {
      const count = m.numParameters();
      return `<tr><td>${name}</td><td>${m.constructor.name}(${
        escapeHtml(m.extraRepr())
      })</td>` +
        `<td style="text-align:right">${
          count.toLocaleString("en-US")
        }</td></tr>`;
    });
    const total = this.numParameters().toLocaleString("en-US");
    return {
      "text/plain": this.toString(),
      "text/html":
        `<div><b>${this.constructor.name}</b>, ${total} parameters</div><table><tr><th>name</th>` +
        `<th>layer</th><th>parameters</th></tr>${rows.join("")}</table>`,
    };
  }
}
