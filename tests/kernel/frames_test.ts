import assert from "node:assert/strict";
import { FrameSplitter, type Piece } from "../../kernel/frames.ts";
import { FRAME_MARK } from "../../kernel/agent_protocol.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

function feedAll(splitter: FrameSplitter, chunks: string[]): Piece[] {
  const pieces = chunks.flatMap((chunk) => splitter.push(bytes(chunk)));
  return [...pieces, ...splitter.push(new Uint8Array(0))];
}

function merged(pieces: Piece[]): Piece[] {
  // Text may arrive in any number of pieces: join neighbours for comparison.
  const out: Piece[] = [];
  for (const piece of pieces) {
    const last = out.at(-1);
    if (piece.kind === "text" && last?.kind === "text") last.text += piece.text;
    else out.push({ ...piece });
  }
  return out;
}

Deno.test("FrameSplitter separates text, frames and sync markers in order", () => {
  const stream =
    `hello\n${FRAME_MARK}abc{"type":"ready"}\nmore${FRAME_MARK}abcsync:7\n`;
  const expected: Piece[] = [
    { kind: "text", text: "hello\n" },
    { kind: "frame", json: '{"type":"ready"}' },
    { kind: "text", text: "more" },
    { kind: "sync", id: "7" },
  ];
  assert.deepEqual(
    merged(feedAll(new FrameSplitter("abc"), [stream])),
    expected,
  );
  // The same stream cut at every position gives the same pieces.
  for (let cut = 1; cut < stream.length; cut++) {
    assert.deepEqual(
      merged(
        feedAll(new FrameSplitter("abc"), [
          stream.slice(0, cut),
          stream.slice(cut),
        ]),
      ),
      expected,
    );
  }
});

Deno.test("FrameSplitter ignores a frame mark with another nonce and survives binary garbage", () => {
  const splitter = new FrameSplitter("abc");
  const pieces = [
    ...splitter.push(bytes(`${FRAME_MARK}xyz{}\n`)),
    ...splitter.push(new Uint8Array([0xff, 0xfe, 10])),
  ];
  assert.deepEqual(merged([...pieces, ...splitter.push(new Uint8Array(0))]), [
    { kind: "text", text: `${FRAME_MARK}xyz{}\n\ufffd\ufffd\n` },
  ]);
});

Deno.test("FrameSplitter joins a frame of megabytes from many small chunks, text around it kept", () => {
  const big = JSON.stringify({
    type: "comm",
    buffers: ["A".repeat(3_000_000)],
  });
  const stream =
    `before${FRAME_MARK}abc${big}\nbetween${FRAME_MARK}abcsync:1\nafter`;
  const chunks: string[] = [];
  for (let at = 0; at < stream.length; at += 997) {
    chunks.push(stream.slice(at, at + 997));
  }
  assert.deepEqual(merged(feedAll(new FrameSplitter("abc"), chunks)), [
    { kind: "text", text: "before" },
    { kind: "frame", json: big },
    { kind: "text", text: "between" },
    { kind: "sync", id: "1" },
    { kind: "text", text: "after" },
  ]);
  // Small chunks, several frames each way.
  const small =
    `a${FRAME_MARK}abc{"x":1}\nb${FRAME_MARK}abc{"y":2}\n${FRAME_MARK}abcsync:2\nc`;
  for (const size of [1, 2, 3, 7]) {
    const pieces: string[] = [];
    for (let at = 0; at < small.length; at += size) {
      pieces.push(small.slice(at, at + size));
    }
    assert.deepEqual(merged(feedAll(new FrameSplitter("abc"), pieces)), [
      { kind: "text", text: "a" },
      { kind: "frame", json: '{"x":1}' },
      { kind: "text", text: "b" },
      { kind: "frame", json: '{"y":2}' },
      { kind: "sync", id: "2" },
      { kind: "text", text: "c" },
    ]);
  }
});
