/**
 * A minimal client of Jupyter Kernel Gateway's REST and websocket API (the
 * `jupyter-websocket` mode, which is Jupyter Server's `/api/kernels` and
 * `/api/kernels/{id}/channels`), as a remote front end uses it: start a
 * kernel, run cells and collect their iopub output, interrupt, restart.
 */

/** A Jupyter message as the websocket carries it (JSON, with its channel). */
export interface WireMessage {
  header: { msg_id: string; msg_type: string };
  parent_header: { msg_id?: string };
  content: Record<string, unknown>;
  channel: string;
}

/** What one cell produced. */
export interface CellRun {
  reply: Record<string, unknown>;
  outputs: WireMessage[];
}

/** Raised when the gateway goes away while a cell runs. */
export class GatewayDisconnected extends Error {
  override name = "GatewayDisconnected";
}

/** One kernel on a gateway and its websocket. */
export class GatewayKernel {
  readonly #base: string;
  readonly id: string;
  #socket!: WebSocket;
  readonly #session = crypto.randomUUID();
  readonly #pending = new Map<string, {
    outputs: WireMessage[];
    reply?: Record<string, unknown>;
    idle: boolean;
    resolve: (run: CellRun) => void;
    reject: (error: Error) => void;
  }>();

  private constructor(base: string, id: string) {
    this.#base = base;
    this.id = id;
  }

  /**
   * Starts a kernel on the gateway and opens its channels.
   *
   * @param base the gateway's URL, e.g. http://127.0.0.1:8888
   * @param name the kernelspec
   * @returns the connected kernel
   */
  static async start(base: string, name: string): Promise<GatewayKernel> {
    const response = await fetch(`${base}/api/kernels`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name }),
    });
    if (!response.ok) {
      throw new Error(
        `The gateway did not start kernel ${name}: ${response.status} ${await response
          .text()}`,
      );
    }
    const kernel = new GatewayKernel(base, (await response.json()).id);
    await kernel.connect();
    return kernel;
  }

  /** Opens (or reopens, after a restart) the websocket. */
  async connect(): Promise<void> {
    const url = `${
      this.#base.replace(/^http/, "ws")
    }/api/kernels/${this.id}/channels`;
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () =>
        reject(new Error(`Could not open the gateway's websocket ${url}`));
    });
    socket.onmessage = (event) => this.#receive(JSON.parse(event.data));
    socket.onclose = (event) => {
      for (const [id, cell] of this.#pending) {
        this.#pending.delete(id);
        cell.reject(
          new GatewayDisconnected(
            `The gateway at ${this.#base} closed the connection while a cell was running (websocket code ${event.code}, after ${cell.outputs.length} outputs): the cell's result is lost; the kernel may still be running there. Check that the gateway is up (GET ${this.#base}/api/kernels) and run the cell again`,
          ),
        );
      }
    };
    this.#socket = socket;
  }

  #receive(message: WireMessage): void {
    const cell = this.#pending.get(message.parent_header?.msg_id ?? "");
    if (!cell) return;
    if (message.channel === "shell") cell.reply = message.content;
    else if (message.channel === "iopub") {
      if (
        message.header.msg_type === "status" &&
        message.content.execution_state === "idle"
      ) cell.idle = true;
      else cell.outputs.push(message);
    }
    if (cell.reply && cell.idle) {
      this.#pending.delete(message.parent_header.msg_id!);
      cell.resolve({ reply: cell.reply, outputs: cell.outputs });
    }
  }

  /**
   * Runs a cell and waits for its reply and for the kernel to go idle.
   *
   * @param code the cell
   * @returns the execute_reply content and the iopub messages
   * @throws {GatewayDisconnected} when the connection drops first
   */
  execute(code: string): Promise<CellRun> {
    const msgId = crypto.randomUUID();
    const done = new Promise<CellRun>((resolve, reject) =>
      this.#pending.set(msgId, { outputs: [], idle: false, resolve, reject })
    );
    this.#socket.send(JSON.stringify({
      header: {
        msg_id: msgId,
        msg_type: "execute_request",
        session: this.#session,
        username: "gateway-check",
        version: "5.4",
        date: new Date().toISOString(),
      },
      parent_header: {},
      metadata: {},
      content: {
        code,
        silent: false,
        store_history: true,
        user_expressions: {},
        allow_stdin: false,
        stop_on_error: true,
      },
      channel: "shell",
      buffers: [],
    }));
    return done;
  }

  /** Asks the gateway to interrupt the kernel. */
  async interrupt(): Promise<void> {
    await this.#post("interrupt");
  }

  /** Asks the gateway to restart the kernel, then reconnects. */
  async restart(): Promise<void> {
    await this.#post("restart");
    this.#socket.close();
    await this.connect();
  }

  /** Closes the websocket and shuts the kernel down. */
  async shutdown(): Promise<void> {
    this.#socket.onclose = null;
    this.#socket.close();
    await fetch(`${this.#base}/api/kernels/${this.id}`, { method: "DELETE" })
      .then((r) => r.body?.cancel()).catch(() => {});
  }

  async #post(action: string): Promise<void> {
    const response = await fetch(
      `${this.#base}/api/kernels/${this.id}/${action}`,
      { method: "POST" },
    );
    await response.body?.cancel();
    if (!response.ok) {
      throw new Error(`The gateway refused ${action}: ${response.status}`);
    }
  }
}
