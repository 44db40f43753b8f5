/**
 * An in-memory {@link Comms}: records what the kernel side sends and lets a
 * test play the frontend (open comms, send comm_msgs with buffers, close).
 * `install()` puts it where kernelComms() finds it.
 */
import {
  type Comm,
  type CommData,
  type CommMessage,
  type Comms,
  COMMS_KEY,
  type CommSendOptions,
  type CommTargetHandler,
} from "../../../lib/comms.ts";

/** One message the kernel side sent. */
export interface Sent {
  kind: "open" | "msg" | "close";
  commId: string;
  targetName: string;
  data: CommData;
  metadata: Record<string, unknown>;
  buffers: Uint8Array[];
}

class FakeComm implements Comm {
  closed = false;
  readonly handlers: ((m: CommMessage) => void | Promise<void>)[] = [];
  readonly closeHandlers: ((m: CommMessage) => void)[] = [];

  constructor(
    readonly id: string,
    readonly targetName: string,
    readonly owner: FakeComms,
  ) {}

  send(data: CommData, options: CommSendOptions = {}): void {
    if (this.closed) throw new Error(`comm ${this.id} is closed`);
    this.owner.record("msg", this, data, options);
  }

  close(data: CommData = {}, options: CommSendOptions = {}): void {
    if (this.closed) return;
    this.closed = true;
    this.owner.record("close", this, data, options);
  }

  onMessage(handler: (message: CommMessage) => void | Promise<void>): void {
    this.handlers.push(handler);
  }

  onClose(handler: (message: CommMessage) => void): void {
    this.closeHandlers.push(handler);
  }
}

/** The fake manager. */
export class FakeComms implements Comms {
  readonly sent: Sent[] = [];
  readonly comms = new Map<string, FakeComm>();
  readonly targets = new Map<string, CommTargetHandler>();
  frontendHasWidgets = true;
  currentMessageId: string | undefined = "execute-1";
  #next = 0;

  record(
    kind: Sent["kind"],
    comm: Comm,
    data: CommData,
    options: CommSendOptions,
  ) {
    this.sent.push({
      kind,
      commId: comm.id,
      targetName: comm.targetName,
      data: structuredClone(data),
      metadata: options.metadata ?? {},
      buffers: options.buffers ?? [],
    });
  }

  open(
    targetName: string,
    data: CommData = {},
    options: CommSendOptions = {},
  ): Comm {
    const comm = new FakeComm(`comm-${this.#next++}`, targetName, this);
    this.comms.set(comm.id, comm);
    this.record("open", comm, data, options);
    return comm;
  }

  registerTarget(targetName: string, handler: CommTargetHandler): void {
    this.targets.set(targetName, handler);
  }

  unregisterTarget(targetName: string): void {
    this.targets.delete(targetName);
  }

  /** Makes kernelComms() return this fake until the returned function runs. */
  install(): () => void {
    const g = globalThis as Record<symbol, unknown>;
    const before = g[COMMS_KEY];
    g[COMMS_KEY] = this;
    return () => {
      g[COMMS_KEY] = before;
    };
  }

  /** The frontend sends a comm_msg; resolves once the handlers have run. */
  async frontendSend(
    commId: string,
    data: CommData,
    buffers: Uint8Array[] = [],
  ) {
    const comm = this.comms.get(commId);
    if (!comm) throw new Error(`no comm ${commId}`);
    for (const h of comm.handlers) await h({ data, metadata: {}, buffers });
  }

  /** The frontend opens a comm to `target` (as JupyterLab's control comm). */
  async frontendOpen(
    targetName: string,
    data: CommData = {},
  ): Promise<FakeComm> {
    const handler = this.targets.get(targetName);
    if (!handler) throw new Error(`no target ${targetName}`);
    const comm = new FakeComm(`front-${this.#next++}`, targetName, this);
    this.comms.set(comm.id, comm);
    await handler(comm, { data, metadata: {}, buffers: [] });
    return comm;
  }

  /** What went to one comm (optionally only of one kind), in order. */
  to(commId: string, kind?: Sent["kind"]): Sent[] {
    return this.sent.filter((s) =>
      s.commId === commId && (!kind || s.kind === kind)
    );
  }

  /** Forgets what was sent. */
  clear(): void {
    this.sent.length = 0;
  }
}

/** Runs `fn` with a fresh fake installed, and console.error captured. */
export async function withFakeComms(
  fn: (comms: FakeComms, errors: string[]) => void | Promise<void>,
): Promise<void> {
  const comms = new FakeComms();
  const uninstall = comms.install();
  const errors: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => {
    errors.push(args.map(String).join(" "));
  };
  try {
    await fn(comms, errors);
  } finally {
    console.error = original;
    uninstall();
  }
}
