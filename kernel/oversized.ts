/**
 * Requests larger than the kernel takes in (MAX_MESSAGE_BYTES) are not
 * parsed, but the client must not wait forever: when the envelope can be
 * read, the request gets its reply with an error that names the limit.
 */
import type { Message } from "./wire.ts";

/**
 * The error for a message of `size` bytes over `limit`.
 *
 * @param size the message's size in bytes
 * @param limit the most the kernel accepts
 * @returns the error content (ename, evalue, traceback)
 */
export function tooLargeError(
  size: number,
  limit: number,
): { ename: string; evalue: string; traceback: string[] } {
  const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  const evalue =
    `The request is ${mb(size)}, over the kernel's limit of ${mb(limit)}: ` +
    "it was not run. Load large data from a file in the cell instead";
  return {
    ename: "MessageTooLarge",
    evalue,
    traceback: [`MessageTooLarge: ${evalue}`],
  };
}

/**
 * The reply type for a request type, or null for a message that gets none.
 *
 * @param request the refused request (its envelope)
 * @returns e.g. "execute_reply" for "execute_request"
 */
export function replyType(request: Message): string | null {
  const type = request.header.msg_type;
  return type.endsWith("_request")
    ? `${type.slice(0, -"_request".length)}_reply`
    : null;
}
