import assert from "node:assert/strict";
import { executeRequest } from "../../kernel/execute.ts";
import type { CellDiagnostic } from "../../kernel/type_check.ts";
import type { CellChecks, CheckOutcome } from "../../kernel/check_mode.ts";
import { type FakeContext, fakeContext, request } from "./_fake_context.ts";

const WRONG: CellDiagnostic = {
  code: 2322,
  message: "Type 'string' is not assignable to type 'number'.",
  line: 1,
  column: 7,
};
const MISSING_EXPORT: CellDiagnostic = {
  code: 2305,
  message: "Module '\"../lib/mod.ts\"' has no exported member 'nothere'.",
  line: 1,
  column: 10,
};

/** A checker whose checks the test settles, recording what it was asked. */
function fakeChecker(mode: "warn" | "error") {
  const checker = {
    mode,
    checked: [] as string[],
    settle: (_outcome: CheckOutcome) => {},
    check(code: string): Promise<CheckOutcome> {
      checker.checked.push(code);
      return new Promise((resolve) => checker.settle = resolve);
    },
  } satisfies CellChecks & Record<string, unknown>;
  return checker;
}

function withChecker(checker: CellChecks): FakeContext {
  const context = fakeContext(() => ({
    type: "done",
    id: "c",
    status: "ok",
    result: { "text/plain": "1" },
  }));
  return Object.assign(context, { typeChecker: checker });
}

const kinds = (context: FakeContext) =>
  context.sent.map((s) =>
    s.msgType === "stream" ? `stream:${s.content.name}` : s.msgType
  );

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Sends one execute_request on shell; resolves when its reply is sent. */
function executeCell(
  context: FakeContext,
  code: string,
  options: Record<string, unknown> = {},
): Promise<void> {
  return executeRequest(
    context,
    request("execute_request", { code, ...options }),
    "shell",
  );
}

/**
 * Starts a cell under a checker of the given mode and lets a turn pass, so
 * the test sees what runs while the check is still open.
 */
async function startChecked(mode: "warn" | "error", code: string) {
  const checker = fakeChecker(mode);
  const context = withChecker(checker);
  const done = executeCell(context, code);
  await tick();
  return { checker, context, done };
}

Deno.test("warn mode: the cell starts before its check ends; warnings come on stderr before the result and the reply", async () => {
  const code = 'const n: number = "x";';
  const { checker, context, done } = await startChecked("warn", code);
  assert.deepEqual(context.ran, [code], "running while the check runs");
  checker.settle({ ok: true, diagnostics: [WRONG] });
  await done;
  assert.deepEqual(kinds(context), [
    "execute_input",
    "stream:stderr",
    "execute_result",
    "execute_reply",
  ]);
  assert.equal(
    context.sent[1].content.text,
    "warning: TS2322 [line 1, col 7]: Type 'string' is not assignable to type 'number'.\n",
  );
  assert.equal(context.sent.at(-1)!.content.status, "ok");
  assert.deepEqual(context.added, [code]);
});

Deno.test("error mode: a type error stops the cell with a TS error naming the line and column", async () => {
  const code = 'const n: number = "x";';
  const { checker, context, done } = await startChecked("error", code);
  assert.deepEqual(context.ran, [], "waiting for the check");
  checker.settle({ ok: true, diagnostics: [WRONG] });
  await done;
  assert.deepEqual(context.ran, []);
  assert.deepEqual(context.added, [], "a cell that did not run is no history");
  const reply = context.sent.at(-1)!.content;
  assert.equal(reply.status, "error");
  assert.equal(reply.ename, "TS2322");
  assert.equal(
    reply.evalue,
    "Type 'string' is not assignable to type 'number'. (In[1]:1:7)",
  );
  assert.deepEqual((reply.traceback as string[]).slice(0, 5), [
    "TS2322 [ERROR]: Type 'string' is not assignable to type 'number'.",
    "    at In[1]:1:7",
    "",
    '  const n: number = "x";',
    "        ^",
  ]);
  assert.ok(context.aborted, "stop_on_error applies");
});

Deno.test("warn mode: a cell with imports waits for its check; a missing export stops it, other errors only warn", async () => {
  const code =
    'import { nothere } from "../lib/mod.ts";\nconst n: number = "x";';
  const { checker, context, done } = await startChecked("warn", code);
  assert.deepEqual(context.ran, []);
  checker.settle({
    ok: true,
    diagnostics: [MISSING_EXPORT, { ...WRONG, line: 2 }],
  });
  await done;
  assert.deepEqual(context.ran, []);
  assert.deepEqual(kinds(context), [
    "execute_input",
    "stream:stderr",
    "error",
    "execute_reply",
  ]);
  assert.match(String(context.sent[1].content.text), /TS2322 \[line 2/);
  const reply = context.sent.at(-1)!.content;
  assert.equal(reply.ename, "TS2305");
  assert.match(
    (reply.traceback as string[]).at(-1)!,
    /does not export is an error in every mode/,
  );
});

Deno.test("a missing module is left to the run, which says it with a hint; a check that cannot finish lets the cell run", async () => {
  const code = 'import { a } from "./gone.ts";';
  const { checker, context, done } = await startChecked("error", code);
  checker.settle({
    ok: true,
    diagnostics: [{ ...WRONG, code: 2307, message: "Cannot find module" }],
  });
  await done;
  assert.deepEqual(context.ran, [code]);
  const second = executeCell(context, "1");
  await tick();
  checker.settle({ ok: false, reason: "the type check took longer than 10 s" });
  await second;
  assert.deepEqual(context.ran, [code, "1"]);
  assert.ok(
    context.sent.some((s) =>
      String(s.content.text).includes(
        "the cell runs unchecked: the type check took longer than 10 s",
      )
    ),
  );
});

Deno.test("cells outside the history (store_history false, silent) are neither checked nor added", async () => {
  const checker = fakeChecker("error");
  const context = withChecker(checker);
  await executeCell(context, "1", { store_history: false });
  await executeCell(context, "2", { silent: true });
  assert.deepEqual(context.ran, ["1", "2"]);
  assert.deepEqual([checker.checked, context.added], [[], []]);
});

Deno.test("without checks (mode off) a cell that ran still joins the history, one that failed at run time too", async () => {
  const context = fakeContext((code) =>
    code === "boom"
      ? {
        type: "done",
        id: "c",
        status: "error",
        ename: "Error",
        evalue: "boom",
        traceback: [],
      }
      : { type: "done", id: "c", status: "ok", result: null }
  );
  for (const code of ["const a = 1;", "boom"]) {
    await executeCell(context, code, { stop_on_error: false });
  }
  assert.deepEqual(context.added, ["const a = 1;", "boom"]);
});
