/**
 * A timer finer than setTimeout for the socket poller (see sockets.ts): the
 * main thread posts a duration in ms, this worker blocks that long on a
 * futex (Atomics.wait, ~0.25 ms granularity where a timer costs ~2 ms) and
 * posts back.
 */
const cell = new Int32Array(new SharedArrayBuffer(4));
self.onmessage = (event: MessageEvent<number>) => {
  Atomics.wait(cell, 0, 0, event.data);
  self.postMessage(null);
};
