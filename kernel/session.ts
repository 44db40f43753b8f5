/**
 * Builds the messages a kernel sends: headers with fresh ids, the parent's
 * header and routing identities carried over from the request.
 */
import { type Header, type Message, PROTOCOL_VERSION } from "./wire.ts";

/** One kernel session: a stable session id and user name for every header. */
export class Session {
  /** The session id every header carries. */
  readonly id: string = crypto.randomUUID();
  /** The user name every header carries. */
  readonly username: string;

  /** @param username the name in headers; defaults to $USER */
  constructor(username: string = Deno.env.get("USER") ?? "kernel") {
    this.username = username;
  }

  /**
   * A new message.
   *
   * @param msgType the message type, e.g. "execute_reply"
   * @param content the content object
   * @param parent the request this answers or was caused by; null for none
   * @param identities ZeroMQ routing identities (replies on ROUTER sockets reuse the request's)
   * @param metadata the metadata object
   * @returns the message, ready to encode
   */
  message(
    msgType: string,
    content: Record<string, unknown>,
    parent: Message | null,
    identities: Uint8Array[] = [],
    metadata: Record<string, unknown> = {},
  ): Message {
    const header: Header = {
      msg_id: crypto.randomUUID(),
      session: this.id,
      username: this.username,
      date: new Date().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    };
    return {
      identities,
      header,
      parent_header: parent?.header ?? {},
      metadata,
      content,
      buffers: [],
    };
  }

  /**
   * A reply on the same ROUTER socket as the request (same identities).
   *
   * @param request the request
   * @param msgType the reply type
   * @param content the reply content
   * @returns the reply
   */
  reply(
    request: Message,
    msgType: string,
    content: Record<string, unknown>,
  ): Message {
    return this.message(msgType, content, request, request.identities);
  }
}

/**
 * The iopub topic for a message: clients subscribe to everything, so the
 * topic only needs to be informative (ipykernel uses "kernel.<id>.<type>").
 *
 * @param msgType the message type
 * @returns the topic frame
 */
export function iopubTopic(msgType: string): Uint8Array {
  return new TextEncoder().encode(`kernel.${msgType}`);
}
