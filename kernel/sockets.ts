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

/** A socket to poll, and what to do with each message it receives. */
export interface PollEntry {
  socket: zmq.Router | zmq.Reply;
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
 * Receives from several sockets by polling, until `stopped()` says so.
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
 *
 * @param entries the sockets and their handlers
 * @param stopped returns true once polling should end
 * @param maySpin returns false while spinning would steal CPU from a cell
 */
export async function pollSockets(
  entries: PollEntry[],
  stopped: () => boolean,
  maySpin: () => boolean = () => true,
): Promise<void> {
  const channel = new MessageChannel();
  let wake = () => {};
  channel.port1.onmessage = () => wake();
  const yieldNow = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
      channel.port2.postMessage(null);
    });
  const timer = new Worker(new URL("./fine_sleep_worker.ts", import.meta.url), {
    type: "module",
  });
  let timerDone = () => {};
  timer.onmessage = () => timerDone();
  const fineSleep = () =>
    new Promise<void>((resolve) => {
      timerDone = resolve;
      timer.postMessage(FINE_STEP_MS);
    });
  let lastMessage = -Infinity;
  let quietRounds = 0;
  try {
    while (!stopped()) {
      let received = false;
      for (const entry of entries) {
        while (!entry.socket.closed && entry.socket.readable) {
          await entry.onMessage(await entry.socket.receive());
          if (!entry.background) received = true;
        }
      }
      if (received) lastMessage = performance.now();
      quietRounds = received ? 0 : quietRounds + 1;
      const quiet = performance.now() - lastMessage;
      if (quiet < SPIN_WINDOW_MS && maySpin()) await yieldNow();
      else if (quiet < FINE_WINDOW_MS && maySpin()) await fineSleep();
      else await sleep(quietRounds < 500 ? 1 : 20);
    }
  } finally {
    timer.terminate();
    channel.port1.close();
    channel.port2.close();
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
