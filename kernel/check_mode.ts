/**
 * How type errors affect a cell (DENO_WEBGPU_TYPECHECK), and what
 * execute_request uses of the checks (language_client.ts answers them from
 * the notebook's language service).
 */
import type { CellDiagnostic } from "./type_check.ts";

/** How type errors affect a cell: not checked, reported, or blocking it. */
export type CheckMode = "off" | "warn" | "error";

/** The environment variable (kernel.json's `env`) that sets the mode. */
export const CHECK_MODE_VARIABLE = "DENO_WEBGPU_TYPECHECK";

/**
 * Reads the mode.
 *
 * @param value the variable's value
 * @returns the mode ("warn" when unset), or null for a value that is none
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkMode } from "./check_mode.ts";
 * assert.equal(checkMode(undefined), "warn");
 * assert.equal(checkMode(" Error "), "error");
 * assert.equal(checkMode("strict"), null);
 * ```
 */
export function checkMode(value: string | undefined): CheckMode | null {
  const mode = (value ?? "warn").trim().toLowerCase() || "warn";
  return mode === "off" || mode === "warn" || mode === "error" ? mode : null;
}

/** A check's outcome: the cell's diagnostics, or why there are none to give. */
export type CheckOutcome =
  | { ok: true; diagnostics: CellDiagnostic[] }
  | { ok: false; reason: string };

/** What execute_request uses of the checks (faked in tests). */
export interface CellChecks {
  /** "warn" or "error": with "off" cells are not checked. */
  readonly mode: Exclude<CheckMode, "off">;
  /**
   * Checks a cell over the cells added so far (HandlerContext.addRanCell).
   *
   * @param code the cell
   * @returns the diagnostics located in the cell
   */
  check(code: string): Promise<CheckOutcome>;
}
