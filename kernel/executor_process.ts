/**
 * The kernel's side of the executor: starts the agent (executor/agent.ts) as a Deno
 * child process, sends it commands on its stdin and reads its stdout and
 * stderr, where printed text and the agent's event frames arrive in order.
 * The kernel process itself never runs user code, so it keeps answering
 * heartbeats and interrupts while a cell runs.
 */
import type {
  AgentEvent,
  Answers,
  Command,
  Evaluation,
  Question,
} from "./agent_protocol.ts";
import { FrameSplitter } from "./frames.ts";
import type { Logger } from "./log.ts";

/**
 * A private XDG_RUNTIME_DIR when none is set: without one, the Vulkan loader
 * prints an error into every notebook that touches WebGPU.
 */
function runtimeDir(): Record<string, string> {
  const current = Deno.env.get("XDG_RUNTIME_DIR");
  if (current) return {};
  const dir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/deno-webgpu-runtime-${
    Deno.uid() ?? "user"
  }`;
  try {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return { XDG_RUNTIME_DIR: dir };
  } catch {
    return {};
  }
}

/** Where the executor's output goes. */
export interface ExecutorListener {
  /** Text the executor printed. */
  stream(name: "stdout" | "stderr", text: string): void;
  /** An agent event other than a finished evaluation. */
  event(event: AgentEvent): void;
  /** The process ended without being asked to. */
  exited(status: Deno.CommandStatus): void;
}

/** How to start an executor. */
export interface ExecutorOptions {
  /** The notebook's folder: the executor's working directory. */
  cwd: string;
  /** Deno permission flags for user code, e.g. ["--allow-all"]. */
  permissions: string[];
  /** Extra `deno run` flags (e.g. ["--config", path]). */
  denoFlags?: string[];
  logger: Logger;
}

export type { Evaluation };

/** Raised for an evaluation whose executor died before it finished. */
export class ExecutorDied extends Error {
  override name = "ExecutorDied";
  /** How the process ended. */
  readonly status: Deno.CommandStatus | null;
  /**
   * @param message what to tell the user
   * @param status the process's exit status, null when the kernel killed it
   */
  constructor(message: string, status: Deno.CommandStatus | null) {
    super(message);
    this.status = status;
  }
}

const AGENT = new URL("./executor/agent.ts", import.meta.url);

/** One executor process. A dead one is replaced by a new Executor, never reused. */
export class Executor {
  readonly #process: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  readonly #nonce = crypto.randomUUID().replaceAll("-", "");
  readonly #listener: ExecutorListener;
  readonly #logger: Logger;
  readonly #pending = new Map<
    string,
    { resolve: (e: Evaluation) => void; reject: (e: Error) => void }
  >();
  readonly #replies = new Map<string, (value: unknown) => void>();
  // An evaluation finishes once its done frame (stdout) and sync marker (stderr) are both in.
  readonly #doneFrames = new Map<string, Evaluation>();
  readonly #syncs = new Set<string>();
  // Answers to synchronous prompt() calls are written here (see agent_protocol.ts).
  readonly #replyFolder = Deno.makeTempDirSync({
    prefix: "deno-webgpu-input-",
  });
  #stdoutAt = 0;
  #stderrEnded = 0;
  #turnsDone = { stdout: false, stderr: false };
  #turnWaiters: (() => void)[] = [];
  #killedOnPurpose = false;
  #started = false;
  #exited = false;
  /** Resolves when the agent has started and can evaluate. */
  readonly ready: Promise<void>;
  /** Resolves when the process has ended. */
  readonly ended: Promise<Deno.CommandStatus>;

  /**
   * Starts the process.
   *
   * @param options working directory, permissions, logger
   * @param listener where output goes
   */
  constructor(options: ExecutorOptions, listener: ExecutorListener) {
    this.#listener = listener;
    this.#logger = options.logger;
    const args = [
      "run",
      // gc() lets the tensor library reclaim unreachable GPU tensors.
      "--v8-flags=--expose-gc",
      ...withInspectorAccess(options.permissions),
      ...(options.denoFlags ?? []),
      AGENT.pathname,
      this.#nonce,
      this.#replyFolder,
    ];
    this.#logger.debug(
      `starting executor: deno ${args.join(" ")} in ${options.cwd}`,
    );
    this.#process = new Deno.Command(Deno.execPath(), {
      args,
      cwd: options.cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      // NO_COLOR keeps ANSI codes out of printed text; tools in cells still may add them.
      env: { NO_COLOR: "1", ...runtimeDir() },
    }).spawn();
    this.#stdin = this.#process.stdin.getWriter();
    let markReady: () => void;
    this.ready = new Promise((resolve) => markReady = resolve);
    this.#readPipe("stdout", this.#process.stdout, (event) => {
      if (event.type === "ready") {
        this.#started = true;
        markReady();
      } else this.#dispatch(event);
    });
    this.#readPipe("stderr", this.#process.stderr, () => {});
    this.ended = this.#process.status.then((status) => {
      this.#exited = true;
      Deno.remove(this.#replyFolder, { recursive: true }).catch(() => {});
      this.#logger.debug(`executor ended: ${JSON.stringify(status)}`);
      const reason = this.#killedOnPurpose
        ? new ExecutorDied("The executor was stopped", null)
        : new ExecutorDied(describeExit(status), status);
      for (const pending of this.#pending.values()) pending.reject(reason);
      this.#pending.clear();
      // No answer will come: a question (a comm message's handlers, whose
      // idle waits on it) gets null now rather than at its timeout.
      for (const answer of this.#replies.values()) answer(null);
      this.#replies.clear();
      if (!this.#killedOnPurpose) this.#listener.exited(status);
      return status;
    });
    // If it dies before it is ready, nothing waits on ready forever.
    this.ended.then(() => markReady());
  }

  /** Whether the agent ever reported ready (false: it died while starting). */
  get started(): boolean {
    return this.#started;
  }

  /** The process id, for logs and tests. */
  get pid(): number {
    return this.#process.pid;
  }

  /**
   * Evaluates transpiled cell code.
   *
   * @param command the eval command (its id names the evaluation)
   * @returns the evaluation's result, after all its output has been streamed
   * @throws {ExecutorDied} when the process ends first
   */
  evaluate(command: Extract<Command, { op: "eval" }>): Promise<Evaluation> {
    if (this.#exited) {
      return Promise.reject(
        new ExecutorDied(
          "The executor is not running: a fresh one is starting, try again",
          null,
        ),
      );
    }
    const result = new Promise<Evaluation>((resolve, reject) =>
      this.#pending.set(command.id, { resolve, reject })
    );
    this.send(command);
    return result;
  }

  /**
   * Asks the agent something and waits for the reply with the same id.
   *
   * @param command a command that gets an answer (complete, inspect)
   * @param timeoutMs how long a busy agent may take
   * @returns the answer, or null on timeout or once the process is gone
   */
  ask<Q extends Question>(
    command: Q,
    timeoutMs: number,
  ): Promise<Answers[Q["op"]] | null> {
    return new Promise((resolve) => {
      if (this.#exited) return resolve(null);
      const timer = setTimeout(() => {
        this.#replies.delete(command.id);
        resolve(null);
      }, timeoutMs);
      this.#replies.set(command.id, (value) => {
        clearTimeout(timer);
        resolve(value as Answers[Q["op"]]);
      });
      this.send(command);
    });
  }

  /**
   * Sends a command (ignored once the process is gone).
   *
   * @param command the command
   */
  send(command: Command): void {
    this.#stdin.write(new TextEncoder().encode(JSON.stringify(command) + "\n"))
      .catch((error) =>
        this.#logger.debug(`cannot write to the executor: ${error}`)
      );
  }

  /**
   * Answers an input request: a command for `input()`, a file for the
   * blocked `prompt()`.
   *
   * @param request the agent's input_request
   * @param answer the typed text, or an error message
   */
  answerInput(
    request: Extract<AgentEvent, { type: "input_request" }>,
    answer: { value?: string; error?: string },
  ): void {
    if (!request.sync) {
      this.send({ op: "input_reply", id: request.id, ...answer });
      return;
    }
    // Write then rename, so the agent never reads half a file.
    const path = `${this.#replyFolder}/${request.id}`;
    try {
      Deno.writeTextFileSync(`${path}.tmp`, JSON.stringify(answer));
      Deno.renameSync(`${path}.tmp`, path);
    } catch (error) {
      this.#logger.warn(`cannot answer prompt() ${request.id}: ${error}`);
    }
  }

  /** Kills the process (SIGKILL: a busy synchronous loop ignores anything gentler). */
  kill(): void {
    this.#killedOnPurpose = true;
    try {
      this.#process.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }

  #dispatch(event: AgentEvent): void {
    if (event.type === "done") {
      this.#doneFrames.set(event.id, event);
      this.#finish(event.id);
    } else if (event.type === "reply") {
      this.#replies.get(event.id)?.(event.value);
      this.#replies.delete(event.id);
    } else {
      this.#listener.event(event);
    }
  }

  #finish(id: string): void {
    const done = this.#doneFrames.get(id);
    if (!done || !this.#syncs.has(id)) return;
    this.#doneFrames.delete(id);
    this.#syncs.delete(id);
    this.#pending.get(id)?.resolve(done);
    this.#pending.delete(id);
  }

  async #readPipe(
    name: "stdout" | "stderr",
    pipe: ReadableStream<Uint8Array>,
    onEvent: (e: AgentEvent) => void,
  ) {
    const splitter = new FrameSplitter(this.#nonce);
    const handle = async (bytes: Uint8Array) => {
      for (const piece of splitter.push(bytes)) {
        if (piece.kind === "text") this.#listener.stream(name, piece.text);
        else if (piece.kind === "sync") {
          this.#syncs.add(piece.id);
          this.#finish(piece.id);
        } else if (piece.kind === "turn") await this.#turn(piece.mark, piece.n);
        else {
          try {
            onEvent(JSON.parse(piece.json));
          } catch (error) {
            this.#logger.warn(`malformed frame from the executor: ${error}`);
          }
        }
      }
    };
    try {
      for await (const chunk of pipe) await handle(chunk);
    } catch (error) {
      this.#logger.debug(`${name} of the executor closed: ${error}`);
    }
    await handle(new Uint8Array(0));
    // A pipe that ended frees the other from waiting on it.
    this.#turnsDone[name] = true;
    this.#turnMoved();
  }

  // Stderr turns (agent_protocol.ts): each pipe waits at a turn marker
  // until the other has caught up.
  async #turn(mark: "turn" | "from" | "end", n: number): Promise<void> {
    if (mark === "end") {
      this.#stderrEnded = n;
      this.#turnMoved();
    } else if (mark === "turn") {
      this.#stdoutAt = n;
      this.#turnMoved();
      await this.#until(() => this.#stderrEnded >= n || this.#turnsDone.stderr);
    } else {
      await this.#until(() => this.#stdoutAt >= n || this.#turnsDone.stdout);
    }
  }

  #turnMoved(): void {
    const waiting = this.#turnWaiters;
    this.#turnWaiters = [];
    for (const wake of waiting) wake();
  }

  async #until(ready: () => boolean): Promise<void> {
    while (!ready()) {
      await new Promise<void>((wake) => this.#turnWaiters.push(wake));
    }
  }
}

/**
 * The permission flags of user code, plus what the agent itself needs:
 * node:inspector asks for sys access to "inspector", and Deno 2.9.6 accepts
 * no such descriptor on the command line (`--allow-sys=inspector` fails with
 * "unknown sys descriptor"), so the executor always gets all of --allow-sys.
 *
 * @param permissions the flags from the kernelspec
 * @returns the flags for `deno run`
 */
export function withInspectorAccess(permissions: string[]): string[] {
  if (permissions.some((flag) => flag === "--allow-all" || flag === "-A")) {
    return permissions;
  }
  return [
    ...permissions.filter((flag) => !flag.startsWith("--allow-sys")),
    "--allow-sys",
  ];
}

function describeExit(status: Deno.CommandStatus): string {
  // V8 ends a process whose JavaScript heap is exhausted with a trap.
  const how = status.signal === "SIGTRAP"
    ? "was killed by SIGTRAP (how V8 ends a process out of JavaScript heap memory)"
    : status.signal
    ? `was killed by ${status.signal}`
    : `exited with code ${status.code}`;
  return `The executor ${how}: all state was lost, and a fresh executor is starting`;
}
