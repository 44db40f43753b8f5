/**
 * A real executor for tests, without the kernel: start one, run cells in it,
 * collect what it printed and the events it sent.
 */
import assert from "node:assert/strict";
import type { AgentEvent, Evaluation } from "../../kernel/agent_protocol.ts";
import { Executor } from "../../kernel/executor_process.ts";
import { transpileCell } from "../../kernel/transpile.ts";

/** An executor and what it produced so far, in arrival order. */
export interface TestExecutor {
  executor: Executor;
  /** `stdout:text`, `stderr:text` and `event:<type>` entries, in order. */
  log: string[];
  events: AgentEvent[];
  /** Transpiles and evaluates a cell. */
  run(code: string): Promise<Evaluation>;
  /** Kills it and waits for the end. */
  stop(): Promise<void>;
}

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
let sequence = 0;

/**
 * Starts an executor in the current folder.
 *
 * @param permissions Deno flags for user code
 * @returns the running executor, ready
 */
export async function startExecutor(
  permissions = ["--allow-all"],
): Promise<TestExecutor> {
  const log: string[] = [];
  const events: AgentEvent[] = [];
  const executor = new Executor(
    {
      cwd: Deno.cwd(),
      permissions,
      // As kernel/main.ts starts it: the project's import map, lock untouched.
      denoFlags: ["--config", CONFIG, "--no-lock"],
      logger: { debug() {}, warn() {} },
    },
    {
      stream: (name, text) => log.push(`${name}:${text}`),
      event: (event) => {
        events.push(event);
        log.push(`event:${event.type}`);
      },
      exited() {},
    },
  );
  await executor.ready;
  return {
    executor,
    log,
    events,
    run: (code) => {
      const id = `t${++sequence}`;
      const cell = transpileCell(code, `file://${Deno.cwd()}/`);
      assert.ok(cell.ok, `transpile: ${JSON.stringify(cell)}`);
      return executor.evaluate({
        op: "eval",
        id,
        code: cell.code,
        map: cell.map,
        url: `test:${id}`,
        name: id,
      });
    },
    stop: async () => {
      executor.kill();
      await executor.ended;
    },
  };
}
