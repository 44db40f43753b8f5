import assert from "node:assert/strict";
import { type PolledSocket, Poller } from "../../kernel/sockets.ts";

/** A socket with queued messages that fails if two receives overlap. */
class FakeSocket implements PolledSocket {
  closed = false;
  queue: Uint8Array[][] = [];
  receiving = false;
  overlaps = 0;
  failNext = false;
  get readable(): boolean {
    return this.queue.length > 0;
  }
  async receive(): Promise<Uint8Array[]> {
    if (this.receiving) this.overlaps++;
    this.receiving = true;
    await new Promise((r) => setTimeout(r, 1));
    this.receiving = false;
    if (this.failNext) {
      this.failNext = false;
      this.queue.shift();
      throw new Error("receive failed");
    }
    return this.queue.shift()!;
  }
  push(text: string): void {
    this.queue.push([new TextEncoder().encode(text)]);
  }
}

const quiet = { warn() {} };
const text = (frames: Uint8Array[]) => new TextDecoder().decode(frames[0]);
/** Waits for `done`, by the clock: a count of timer ticks ran out under load. */
const until = async (done: () => boolean, what = "the condition") => {
  const deadline = performance.now() + 20_000;
  while (!done()) {
    if (performance.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
};

Deno.test("Poller keeps answering heartbeats after a handler and a receive fail", async () => {
  const heartbeat = new FakeSocket();
  const shell = new FakeSocket();
  const beats: string[] = [];
  let stopped = false;
  const poller = new Poller(
    [
      {
        socket: heartbeat,
        onMessage: (f) => void beats.push(text(f)),
        background: true,
      },
      {
        socket: shell,
        onMessage: () => {
          throw new Error("handler bug");
        },
      },
    ],
    () => stopped,
    quiet,
  );
  const running = poller.run();
  shell.push("bad request");
  await until(() => shell.queue.length === 0);
  shell.failNext = true;
  shell.push("unreadable");
  await until(() => shell.queue.length === 0);
  heartbeat.push("ping");
  await until(() => beats.length === 1);
  stopped = true;
  await running;
  assert.deepEqual(beats, ["ping"]);
});

Deno.test("Poller.drain() hands over every waiting message through the one reader", async () => {
  const shell = new FakeSocket();
  const got: string[] = [];
  let stopped = false;
  const poller = new Poller(
    [{ socket: shell, onMessage: (f) => void got.push(text(f)) }],
    () => stopped,
    quiet,
  );
  const running = poller.run();
  for (const name of ["a", "b", "c"]) shell.push(name);
  await poller.drain(shell);
  assert.deepEqual(got, ["a", "b", "c"]);
  assert.equal(shell.overlaps, 0);
  stopped = true;
  await running;
});
