import assert from "node:assert/strict";
import {
  createSigner,
  decode,
  DELIMITER,
  encode,
  type Message,
} from "../../kernel/wire.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("createSigner() matches RFC 4231 test case 2 over concatenated frames", async () => {
  const signer = await createSigner("Jefe");
  const signature = await signer.sign([
    text("what do ya want "),
    text("for nothing?"),
  ]);
  assert.deepEqual(
    signature,
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  );
  assert.ok(
    await signer.verify(text(signature), [
      text("what do ya want for nothing?"),
    ]),
  );
});

Deno.test("Signer.verify() rejects a wrong, short or non-hex signature", async () => {
  const signer = await createSigner("key");
  const frames = [text("{}")];
  const good = await signer.sign(frames);
  const flipped = (good[0] === "a" ? "b" : "a") + good.slice(1);
  assert.ok(!(await signer.verify(text(flipped), frames)));
  assert.ok(!(await signer.verify(text(good.slice(2)), frames)));
  assert.ok(!(await signer.verify(text("zz" + good.slice(2)), frames)));
  assert.ok(!(await signer.verify(text(""), frames)));
});

Deno.test("createSigner('') signs nothing and accepts only empty signatures", async () => {
  const signer = await createSigner("");
  assert.deepEqual(await signer.sign([text("x")]), "");
  assert.ok(await signer.verify(text(""), [text("x")]));
  assert.ok(!(await signer.verify(text("00"), [text("x")])));
});

function sample(): Message {
  return {
    identities: [new Uint8Array([0, 1, 2])],
    header: {
      msg_id: "m1",
      session: "s",
      username: "u",
      date: "2026-01-01T00:00:00.000Z",
      msg_type: "execute_request",
      version: "5.4",
    },
    parent_header: {},
    metadata: {},
    content: { code: "1 + 1" },
    buffers: [text("buffer")],
  };
}

Deno.test("encode() then decode() round-trips identities, JSON parts and buffers", async () => {
  const signer = await createSigner("secret");
  const frames = await encode(sample(), signer);
  assert.deepEqual(new TextDecoder().decode(frames[1]), DELIMITER);
  const decoded = await decode(frames, signer);
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.message.identities, [new Uint8Array([0, 1, 2])]);
  assert.deepEqual(decoded.message.content, { code: "1 + 1" });
  assert.deepEqual(decoded.message.buffers, [text("buffer")]);
});

Deno.test("decode() refuses a tampered frame before parsing it", async () => {
  const signer = await createSigner("secret");
  const frames = await encode(sample(), signer);
  frames[6] = text('{"code": "Deno.exit()"}');
  const decoded = await decode(frames, signer);
  assert.deepEqual(decoded.ok ? "accepted" : decoded.reason, "bad signature");
});

Deno.test("decode() reports missing delimiter, too few frames and bad JSON", async () => {
  const signer = await createSigner("");
  const noDelimiter = await decode([text("a"), text("b")], signer);
  assert.deepEqual(noDelimiter.ok ? "" : noDelimiter.reason, "no delimiter");
  const short = await decode([text(DELIMITER), text(""), text("{}")], signer);
  assert.deepEqual(short.ok ? "" : short.reason, "too few frames");
  const badJson = await decode([
    text(DELIMITER),
    text(""),
    text("{"),
    text("{}"),
    text("{}"),
    text("{}"),
  ], signer);
  assert.deepEqual(badJson.ok ? "" : badJson.reason, "malformed json");
  const noType = await decode([
    text(DELIMITER),
    text(""),
    text("{}"),
    text("{}"),
    text("{}"),
    text("{}"),
  ], signer);
  assert.deepEqual(noType.ok ? "" : noType.reason, "malformed json");
});
