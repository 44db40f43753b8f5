/**
 * State between its two forms: the values a widget holds and the JSON the
 * comm carries (widgets as "IPY_MODEL_" references, buffers in place), and
 * the check of a state the frontend sent, key by key, before any is kept.
 *
 * @module
 */
import type { Resolve, Trait } from "./traits.ts";

type State = Record<string, unknown>;

/** The wire form of `keys` of `state`. */
export function wireForm(
  traits: Record<string, Trait>,
  state: State,
  keys: Iterable<string>,
): State {
  const out: State = {};
  for (const key of keys) {
    const toJson = traits[key].toJson ?? ((v: unknown) => v);
    out[key] = toJson(state[key]);
  }
  return out;
}

/** Whether two values of a key are the same on the wire (buffers never are). */
export function sameOnWire(trait: Trait, a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) return false;
  const toJson = trait.toJson ?? ((v: unknown) => v);
  return JSON.stringify(toJson(a)) === JSON.stringify(toJson(b));
}

/** What a frontend update leaves: the state to apply and the keys taken. */
export interface Accepted {
  candidate: State;
  accepted: string[];
}

/**
 * Checks each key of a frontend's `incoming` state against its trait and
 * returns the state with the keys that passed. A key that fails, or that the
 * frontend may not set, is reported and keeps the kernel's value.
 */
export function acceptFromFrontend(
  traits: Record<string, Trait>,
  current: State,
  incoming: State,
  where: (key: string) => string,
  resolve: Resolve,
  report: (message: string) => void,
  owner: string,
): Accepted {
  const candidate = { ...current };
  const accepted: string[] = [];
  for (const [key, json] of Object.entries(incoming)) {
    const trait = traits[key];
    if (!trait || trait.readOnly) {
      report(`${owner}: the frontend may not set "${key}"; ignored`);
      continue;
    }
    try {
      const value = trait.fromJson
        ? trait.fromJson(json, where(key), resolve)
        : json;
      candidate[key] = trait.validate(value, where(key));
      accepted.push(key);
    } catch (error) {
      report(
        `${
          (error as Error).message
        } (from the frontend; kept the kernel's value)`,
      );
    }
  }
  return { candidate, accepted };
}
