/**
 * The connection file Jupyter hands a kernel: where to bind and how to sign.
 *
 * Spec: https://jupyter-client.readthedocs.io/en/stable/kernels.html#connection-files
 */

/** The fields of a connection file that this kernel uses. */
export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  shell_port: number;
  control_port: number;
  stdin_port: number;
  iopub_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
}

/** The five channels of the protocol, named as the connection file names their ports. */
export type Channel = "shell" | "control" | "stdin" | "iopub" | "hb";

/**
 * Parses a connection file's text, checking what the kernel relies on.
 *
 * @param text the JSON text of the file
 * @returns the connection info
 * @throws {TypeError} when a field is missing or the signature scheme is not hmac-sha256
 */
export function parseConnectionInfo(text: string): ConnectionInfo {
  const info = JSON.parse(text) as Partial<ConnectionInfo>;
  for (const channel of ["shell", "control", "stdin", "iopub", "hb"] as const) {
    if (typeof info[`${channel}_port`] !== "number") {
      throw new TypeError(
        `Connection file has no ${channel}_port: got ${JSON.stringify(info)}`,
      );
    }
  }
  const scheme = info.signature_scheme ?? "hmac-sha256";
  // An empty key means "do not sign" (the spec allows it); the scheme must still be ours.
  if (scheme !== "hmac-sha256") {
    throw new TypeError(
      `Unsupported signature scheme: ${scheme}, only hmac-sha256 is implemented`,
    );
  }
  return {
    transport: info.transport ?? "tcp",
    ip: info.ip ?? "127.0.0.1",
    key: info.key ?? "",
    signature_scheme: scheme,
    shell_port: info.shell_port!,
    control_port: info.control_port!,
    stdin_port: info.stdin_port!,
    iopub_port: info.iopub_port!,
    hb_port: info.hb_port!,
  };
}

/**
 * The ZeroMQ endpoint of one channel.
 *
 * @param info the connection info
 * @param channel which channel
 * @returns e.g. `tcp://127.0.0.1:5555`, or `ipc://path-1` for the ipc transport
 */
export function endpoint(info: ConnectionInfo, channel: Channel): string {
  const port = info[`${channel}_port`];
  // For ipc, jupyter_client names the socket files "<ip>-<port>".
  return info.transport === "ipc"
    ? `ipc://${info.ip}-${port}`
    : `tcp://${info.ip}:${port}`;
}
