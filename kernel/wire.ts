/**
 * The Jupyter wire format: signing, verifying, encoding and decoding the
 * multipart ZeroMQ frames of one message. Pure functions, no sockets.
 *
 * A message on the wire is (spec:
 * https://jupyter-client.readthedocs.io/en/stable/messaging.html#the-wire-protocol):
 *
 *   [identities..., "<IDS|MSG>", hmac, header, parent_header, metadata, content, buffers...]
 *
 * where hmac is the hex HMAC-SHA256 of the four JSON frames, in that order,
 * keyed by the connection file's key (an empty key means "unsigned").
 */

/** The frame that separates ZeroMQ routing identities from the message. */
export const DELIMITER = "<IDS|MSG>";

/** Protocol version this kernel speaks. */
export const PROTOCOL_VERSION = "5.4";

/** A message header. */
export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
  subtype?: string;
}

/** A decoded message. Content stays loosely typed: handlers check what they read. */
export interface Message {
  identities: Uint8Array[];
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  buffers: Uint8Array[];
}

/** Signs and verifies frames with one key. */
export interface Signer {
  /** Hex HMAC of the frames, or "" when the key is empty. */
  sign(frames: Uint8Array[]): Promise<string>;
  /** Whether `signature` (hex) is the HMAC of the frames, compared in constant time. */
  verify(signature: Uint8Array, frames: Uint8Array[]): Promise<boolean>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Makes a signer for the connection key.
 *
 * @param key the connection file's key; "" turns signing off
 * @returns a signer
 */
export async function createSigner(key: string): Promise<Signer> {
  if (key === "") {
    return {
      sign: () => Promise.resolve(""),
      verify: (signature) => Promise.resolve(signature.length === 0),
    };
  }
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    encoder.encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
  return {
    async sign(frames) {
      const digest = await crypto.subtle.sign(
        "HMAC",
        cryptoKey,
        concat(frames),
      );
      return toHex(new Uint8Array(digest));
    },
    verify(signature, frames) {
      const digest = fromHex(decoder.decode(signature));
      if (digest === null || digest.length !== 32) {
        return Promise.resolve(false);
      }
      // WebCrypto's verify compares in constant time, so a timing probe learns nothing.
      return crypto.subtle.verify("HMAC", cryptoKey, digest, concat(frames));
    },
  };
}

/**
 * Encodes a message into frames, signing it.
 *
 * @param message the message (identities come first on the wire)
 * @param signer the connection's signer
 * @returns the frames to send
 */
export async function encode(
  message: Message,
  signer: Signer,
): Promise<Uint8Array[]> {
  const parts = [
    message.header,
    message.parent_header,
    message.metadata,
    message.content,
  ]
    .map((part) => encoder.encode(JSON.stringify(part)));
  const signature = await signer.sign(parts);
  return [
    ...message.identities,
    encoder.encode(DELIMITER),
    encoder.encode(signature),
    ...parts,
    ...message.buffers,
  ];
}

/** Why a set of frames was not accepted as a message. */
export type DecodeFailure =
  | "no delimiter"
  | "too few frames"
  | "bad signature"
  | "malformed json";

/** The result of decoding: a message, or the reason it was refused. */
export type Decoded = { ok: true; message: Message } | {
  ok: false;
  reason: DecodeFailure;
  detail?: string;
};

/**
 * Decodes frames into a message. The signature is checked over the frames
 * exactly as received, before any JSON is parsed.
 *
 * @param frames the multipart message as received from a ROUTER socket
 * @param signer the connection's signer
 * @param parts "envelope" parses no content (left `{}`) and keeps no
 *   buffers: enough to answer a message too large to take in
 * @returns the message, or why it was refused
 */
export async function decode(
  frames: Uint8Array[],
  signer: Signer,
  parts: "all" | "envelope" = "all",
): Promise<Decoded> {
  const split = frames.findIndex((frame) => isDelimiter(frame));
  if (split < 0) return { ok: false, reason: "no delimiter" };
  if (frames.length < split + 6) return { ok: false, reason: "too few frames" };
  const signed = frames.slice(split + 2, split + 6);
  if (!(await signer.verify(frames[split + 1], signed))) {
    return { ok: false, reason: "bad signature" };
  }
  try {
    const wanted = parts === "all" ? signed : signed.slice(0, 3);
    const [header, parent_header, metadata, content] = wanted.map((frame) =>
      JSON.parse(decoder.decode(frame))
    );
    if (
      !isObject(header) || typeof header.msg_type !== "string" ||
      typeof header.msg_id !== "string"
    ) {
      return {
        ok: false,
        reason: "malformed json",
        detail: "header lacks msg_type or msg_id",
      };
    }
    return {
      ok: true,
      message: {
        identities: frames.slice(0, split),
        header: header as unknown as Header,
        parent_header: isObject(parent_header)
          ? parent_header as Message["parent_header"]
          : {},
        metadata: isObject(metadata) ? metadata : {},
        content: isObject(content) ? content : {},
        buffers: parts === "all" ? frames.slice(split + 6) : [],
      },
    };
  } catch (error) {
    return { ok: false, reason: "malformed json", detail: String(error) };
  }
}

function isDelimiter(frame: Uint8Array): boolean {
  if (frame.length !== DELIMITER.length) return false;
  for (let i = 0; i < frame.length; i++) {
    if (frame[i] !== DELIMITER.charCodeAt(i)) return false;
  }
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function concat(frames: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(frames.reduce((n, frame) => n + frame.length, 0));
  let offset = 0;
  for (const frame of frames) {
    out.set(frame, offset);
    offset += frame.length;
  }
  return out;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}
