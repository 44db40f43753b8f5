/**
 * The kernel's ZeroMQ sockets, bound where the connection file says: shell,
 * control and stdin are ROUTER, iopub is PUB, heartbeat is REP (an echo).
 */
import * as zmq from "zeromq";
import { type Channel, type ConnectionInfo, endpoint } from "./connection.ts";
import { encode, type Message, type Signer } from "./wire.ts";

/**
 * A socket whose sends are queued in call order. Signing is async (WebCrypto),
 * so two messages encoded concurrently could finish out of order; and
 * zeromq.js allows one pending send per socket. The queue settles both.
 */
export class Outbox {
  #tail: Promise<void> = Promise.resolve();
  readonly socket: zmq.Router | zmq.Publisher;
  readonly #signer: Signer;

  /**
   * @param socket the socket to send on
   * @param signer signs each message
   */
  constructor(socket: zmq.Router | zmq.Publisher, signer: Signer) {
    this.socket = socket;
    this.#signer = signer;
  }

  /**
   * Signs and sends a message after every earlier one has gone.
   *
   * @param message the message
   * @returns a promise that resolves once libzmq has the message
   */
  send(message: Message): Promise<void> {
    const sent = this.#tail.then(async () =>
      this.socket.send(await encode(message, this.#signer))
    );
    // A failed send (socket closed at shutdown) must not block later ones.
    this.#tail = sent.catch(() => {});
    return sent;
  }
}

/** The bound sockets of one kernel. */
export interface Sockets {
  shell: zmq.Router;
  control: zmq.Router;
  stdin: zmq.Router;
  iopub: zmq.Publisher;
  heartbeat: zmq.Reply;
}

/**
 * Binds all five sockets and starts the heartbeat echo.
 *
 * @param info the connection info
 * @returns the sockets
 */
export async function bindSockets(info: ConnectionInfo): Promise<Sockets> {
  // Closing gives unsent messages (the shutdown reply, the last idle) a second
  // to leave, and never hangs shutdown longer.
  const options = { linger: 1000 };
  const sockets: Sockets = {
    shell: new zmq.Router(options),
    control: new zmq.Router(options),
    stdin: new zmq.Router(options),
    iopub: new zmq.Publisher(options),
    heartbeat: new zmq.Reply(options),
  };
  const order: [Channel, zmq.Socket][] = [
    ["shell", sockets.shell],
    ["control", sockets.control],
    ["stdin", sockets.stdin],
    ["iopub", sockets.iopub],
    ["hb", sockets.heartbeat],
  ];
  for (const [channel, socket] of order) {
    await socket.bind(endpoint(info, channel));
  }
  return sockets;
}

/** What the poller needs of a socket (zeromq.js's Router and Reply have it). */
export interface PolledSocket {
  readonly closed: boolean;
  readonly readable: boolean;
  receive(): Promise<Uint8Array[]>;
}

/** A socket to poll, and what to do with each message it receives. */
export interface PollEntry {
  socket: PolledSocket;
  onMessage(frames: Uint8Array[]): void | Promise<void>;
  /** Heartbeats (every 3 s) must not keep the poller in its busy modes. */
  background?: boolean;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How long after a message the poller spins instead of sleeping, in ms. */
const SPIN_WINDOW_MS = 20;
/** How long after a message it sleeps in fine steps (FINE_STEP_MS) rather than timer ticks. */
const FINE_WINDOW_MS = 2000;
const FINE_STEP_MS = 0.25;

/**
 * Receives from several sockets by polling, until `stopped()` says so. It is
 * the only reader of each socket: whoever needs what is waiting now asks
 * `drain()` rather than receiving itself (two readers of one socket would
 * each get part of its messages, and zeromq.js allows one receive at a time).
 *
 * Why not `for await (const m of socket)`: under Deno 2.9.6, zeromq.js's
 * blocking receive misses wake-ups of libzmq's edge-triggered socket fd (seen
 * here: with five sockets bound, the second request on shell was never
 * delivered, in one run in two even the first). Asking `readable` (which
 * reads ZMQ_EVENTS) and then receiving never blocks, so it cannot miss one.
 *
 * Between checks the poller sleeps; a timer costs ~2 ms here, so after each
 * message (when the next request of a client usually comes) it first yields
 * through a MessageChannel (~6 us) for 20 ms, then sleeps in 0.25 ms steps on
 * a worker's futex for 2 s, and only then falls back to timers; none of that
 * while `maySpin()` says the CPU is wanted elsewhere (a cell is running).
 */
export class Poller {
  readonly #entries: PollEntry[];
  readonly #stopped: () => boolean;
  readonly #maySpin: () => boolean;
  readonly #logger: { warn(message: string): void };
  #drains: { socket: PolledSocket; done: () => void }[] = [];
  #wakeEarly: (() => void) | null = null;

  /**
   * @param entries the sockets and their handlers
   * @param stopped returns true once polling should end
   * @param logger where a failed receive or handler is logged
   * @param maySpin returns false while spinning would steal CPU from a cell
   */
  constructor(
    entries: PollEntry[],
    stopped: () => boolean,
    logger: { warn(message: string): void },
    maySpin: () => boolean = () => true,
  ) {
    this.#entries = entries;
    this.#stopped = stopped;
    this.#logger = logger;
    this.#maySpin = maySpin;
  }

  /**
   * Resolves once every message readable on `socket` now has been handed to
   * its onMessage (and that call has finished).
   *
   * @param socket one of the polled sockets
   */
  drain(socket: PolledSocket): Promise<void> {
    return new Promise((done) => {
      this.#drains.push({ socket, done });
      this.#wakeEarly?.();
    });
  }

  /** Polls until stopped. */
  async run(): Promise<void> {
    const channel = new MessageChannel();
    let wake = () => {};
    channel.port1.onmessage = () => wake();
    const yieldNow = () =>
      new Promise<void>((resolve) => {
        wake = resolve;
        channel.port2.postMessage(null);
      });
    const timer = new Worker(
      new URL("./fine_sleep_worker.ts", import.meta.url),
      { type: "module" },
    );
    let timerDone = () => {};
    timer.onmessage = () => timerDone();
    const fineSleep = () =>
      new Promise<void>((resolve) => {
        timerDone = resolve;
        timer.postMessage(FINE_STEP_MS);
      });
    const nap = (ms: number) =>
      Promise.race([
        sleep(ms),
        new Promise<void>((resolve) => this.#wakeEarly = resolve),
      ]);
    let lastMessage = -Infinity;
    let quietRounds = 0;
    try {
      while (!this.#stopped()) {
        const drains = this.#drains;
        this.#drains = [];
        let received = false;
        for (const entry of this.#entries) {
          if (await this.#pollOne(entry)) received = true;
        }
        for (const { done } of drains) done();
        if (received) lastMessage = performance.now();
        quietRounds = received ? 0 : quietRounds + 1;
        const quiet = performance.now() - lastMessage;
        if (this.#drains.length > 0) continue;
        if (quiet < SPIN_WINDOW_MS && this.#maySpin()) await yieldNow();
        else if (quiet < FINE_WINDOW_MS && this.#maySpin()) await fineSleep();
        else await nap(quietRounds < 500 ? 1 : 20);
        this.#wakeEarly = null;
      }
    } finally {
      timer.terminate();
      channel.port1.close();
      channel.port2.close();
      for (const { done } of this.#drains) done();
    }
  }

  // One socket's failure (a receive or handler that throws) is logged and
  // costs only that message: the heartbeat and the other sockets go on.
  async #pollOne(entry: PollEntry): Promise<boolean> {
    let received = false;
    try {
      while (!entry.socket.closed && entry.socket.readable) {
        const frames = await entry.socket.receive();
        if (!entry.background) received = true;
        try {
          await entry.onMessage(frames);
        } catch (error) {
          this.#logger.warn(`handling a message failed: ${error}`);
        }
      }
    } catch (error) {
      this.#logger.warn(`receiving failed: ${error}`);
    }
    return received;
  }
}

/**
 * Closes every socket.
 *
 * @param sockets the sockets
 */
export function closeSockets(sockets: Sockets): void {
  for (const socket of Object.values(sockets) as zmq.Socket[]) {
    if (!socket.closed) socket.close();
  }
}
