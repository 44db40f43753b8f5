/**
 * Traits: the typed, validated keys of a widget's state. Each one checks a
 * value set in a cell or sent by the frontend and turns it to and from its
 * JSON form (a widget travels as `"IPY_MODEL_<id>"`). A bad value throws a
 * TypeError or RangeError that names the widget and the key.
 *
 * @module
 */

/** One state key: its default, its check and its wire form. */
export interface Trait<T = unknown> {
  /** The value a new widget starts with. */
  default: () => T;
  /** Returns the value to store or throws; `where` reads like "IntSlider.value". */
  validate(value: unknown, where: string): T;
  /** The JSON form (default: the value itself). */
  toJson?(value: T): unknown;
  /** From the JSON form; `resolve` finds a widget by its model id. */
  fromJson?(json: unknown, where: string, resolve: Resolve): T;
  /** Set once when the widget is made (the `_model_*` keys); the frontend may not change it. */
  readOnly?: boolean;
}

/** Finds a live widget by model id. */
export type Resolve = (modelId: string) => { modelId: string } | undefined;

function show(value: unknown): string {
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function fail(where: string, want: string, value: unknown): never {
  throw new TypeError(`${where} must be ${want}, got ${show(value)}`);
}

/** A fixed string (the `_model_name`, `_view_module` ... keys). */
export function constant(value: string): Trait<string> {
  return {
    default: () => value,
    validate: (v, where) =>
      v === value ? value : fail(where, `"${value}" (it is fixed)`, v),
    readOnly: true,
  };
}

/** true or false. */
export function bool(initial = false): Trait<boolean> {
  return {
    default: () => initial,
    validate: (v, where) =>
      typeof v === "boolean" ? v : fail(where, "true or false", v),
  };
}

/** true, false or null (`tabbable`: null leaves it to the browser). */
export function nullableBool(): Trait<boolean | null> {
  return {
    default: () => null,
    validate: (v, where) =>
      v === null || typeof v === "boolean"
        ? v
        : fail(where, "true, false or null", v),
  };
}

/** A string. */
export function str(initial = ""): Trait<string> {
  return {
    default: () => initial,
    validate: (v, where) =>
      typeof v === "string" ? v : fail(where, "a string", v),
  };
}

/** A string or null (CSS values of Layout and the styles). */
export function nullableStr(
  initial: string | null = null,
): Trait<string | null> {
  return {
    default: () => initial,
    validate: (v, where) =>
      v === null || typeof v === "string"
        ? v
        : fail(where, "a string or null", v),
  };
}

/** A finite number; an integer when `integer`. */
export function num(initial: number, integer = false): Trait<number> {
  return {
    default: () => initial,
    validate: (v, where) => {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        return fail(where, integer ? "a finite integer" : "a finite number", v);
      }
      if (integer && !Number.isInteger(v)) return fail(where, "an integer", v);
      return v;
    },
  };
}

/** An integer or null (Dropdown's index). */
export function nullableInt(
  initial: number | null = null,
): Trait<number | null> {
  return {
    default: () => initial,
    validate: (v, where) =>
      v === null || (typeof v === "number" && Number.isInteger(v))
        ? v
        : fail(where, "an integer or null", v),
  };
}

/** One of the listed strings. */
export function oneOf<const T extends string>(
  choices: readonly T[],
  initial: T,
): Trait<T> {
  return {
    default: () => initial,
    validate: (v, where) =>
      choices.includes(v as T)
        ? v as T
        : fail(where, `one of ${choices.map((c) => `"${c}"`).join(", ")}`, v),
  };
}

/** A list of strings. */
export function strList(): Trait<string[]> {
  return {
    default: () => [],
    validate: (v, where) =>
      Array.isArray(v) && v.every((s) => typeof s === "string")
        ? [...v]
        : fail(where, "a list of strings", v),
  };
}

/** Bytes, sent as a binary buffer. */
export function bytes(): Trait<Uint8Array> {
  return {
    default: () => new Uint8Array(),
    validate: (v, where) => {
      if (v instanceof Uint8Array) return v;
      if (v instanceof ArrayBuffer) return new Uint8Array(v);
      if (v instanceof DataView) {
        return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      }
      return fail(where, "bytes (a Uint8Array)", v);
    },
  };
}

/** Any JSON value (Output's list of outputs). */
export function json<T>(initial: () => T): Trait<T> {
  return {
    default: initial,
    validate: (v, where) => {
      try {
        JSON.stringify(v);
      } catch {
        fail(where, "JSON", v);
      }
      return v as T;
    },
  };
}

const PREFIX = "IPY_MODEL_";

function resolveRef<W>(json: unknown, where: string, resolve: Resolve): W {
  if (typeof json !== "string" || !json.startsWith(PREFIX)) {
    return fail(where, `a widget reference "${PREFIX}<id>"`, json);
  }
  const widget = resolve(json.slice(PREFIX.length));
  return widget ? widget as W : fail(where, "a live widget", json);
}

/** A reference to another widget (a box's layout, a slider's style). */
export function widgetRef<W extends { modelId: string }>(
  make: () => W,
  accepts: (value: unknown) => value is W,
  kind: string,
): Trait<W> {
  return {
    default: make,
    validate: (v, where) => accepts(v) ? v : fail(where, kind, v),
    toJson: (w) => PREFIX + w.modelId,
    fromJson: (j, where, resolve) => {
      const w = resolveRef<unknown>(j, where, resolve);
      return accepts(w) ? w : fail(where, kind, j);
    },
  };
}

/** A list of widgets (a box's children). */
export function widgetList<W extends { modelId: string }>(
  accepts: (value: unknown) => value is W,
): Trait<W[]> {
  return {
    default: () => [],
    validate: (v, where) =>
      Array.isArray(v) && v.every(accepts)
        ? [...v]
        : fail(where, "a list of widgets", v),
    toJson: (list) => list.map((w) => PREFIX + w.modelId),
    fromJson: (j, where, resolve) =>
      Array.isArray(j)
        ? j.map((item) => resolveRef<W>(item, where, resolve))
        : fail(where, "a list of widget references", j),
  };
}
