/**
 * The kernel's log: warnings (dropped messages, executor crashes) go to
 * stderr, where the Jupyter server shows them; with a log file set (flag
 * `--log FILE` or env DENO_WEBGPU_KERNEL_LOG), everything goes there too.
 */

/** A leveled logger. */
export interface Logger {
  debug(message: string): void;
  warn(message: string): void;
}

/**
 * A logger writing warnings to stderr and, when a path is given, every line to that file.
 *
 * @param path the log file, or undefined for none
 * @returns the logger
 */
export function createLogger(path: string | undefined): Logger {
  const file = path
    ? Deno.openSync(path, { append: true, create: true })
    : undefined;
  const encoder = new TextEncoder();
  const write = (level: string, message: string) => {
    file?.writeSync(
      encoder.encode(`${new Date().toISOString()} ${level} ${message}\n`),
    );
  };
  return {
    debug: (message) => write("debug", message),
    warn: (message) => {
      write("warn", message);
      console.error(`[deno-webgpu kernel] ${message}`);
    },
  };
}
