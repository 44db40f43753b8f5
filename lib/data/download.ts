/**
 * Downloading a file into place safely: bytes go to `<name>.part` beside the
 * destination and are renamed onto it only when complete, so an interrupted
 * transfer never leaves a half-written file under the real name. A later
 * call resumes from the `.part` file with an HTTP range request, or starts
 * over when the server does not support ranges.
 *
 * @module
 */

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  /**
   * Called as bytes arrive (`total` is undefined when the server does not
   * say). Defaults to a progress line on stderr when it is a terminal.
   */
  onProgress?: (received: number, total: number | undefined) => void;
}

function formatMegabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** A progress line on an interactive stderr, nothing otherwise. */
function terminalProgress(
  name: string,
): DownloadOptions["onProgress"] | undefined {
  if (!Deno.stderr.isTerminal()) return undefined;
  const encoder = new TextEncoder();
  let lastShown = 0;
  return (received, total) => {
    const now = performance.now();
    const done = total !== undefined && received >= total;
    if (!done && now - lastShown < 100) return;
    lastShown = now;
    const width = 30;
    const line = total
      ? `${
        "#".repeat(Math.round(width * received / total)).padEnd(width, ".")
      } ${(100 * received / total).toFixed(0).padStart(3)}% ${
        formatMegabytes(received)
      } of ${formatMegabytes(total)}`
      : formatMegabytes(received);
    Deno.stderr.writeSync(
      encoder.encode(`\rDownloading ${name} ${line}${done ? "\n" : ""}`),
    );
  };
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
}

/**
 * Downloads `url` to `destination` through `destination + ".part"`.
 *
 * @param url Where to fetch from (http, https or file URLs that `fetch` reads).
 * @param destination The final path; its folder is created when missing.
 * @param options Progress reporting.
 * @throws {Error} On an HTTP error or a cut-off transfer, naming the URL and
 * the bytes received; the `.part` file stays for the next call to resume.
 */
export async function downloadFile(
  url: string,
  destination: string,
  options: DownloadOptions = {},
): Promise<void> {
  const name = destination.split("/").at(-1) ?? destination;
  const onProgress = options.onProgress ?? terminalProgress(name);
  const folder = destination.slice(0, destination.lastIndexOf("/"));
  if (folder) await Deno.mkdir(folder, { recursive: true });
  const partial = `${destination}.part`;
  let offset = await fileSize(partial);

  let response: Response;
  try {
    response = await fetch(url, {
      headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
    });
  } catch (error) {
    throw new Error(
      `Cannot download ${url}: ${
        (error as Error).message
      }. Check the network, or put the file at ${destination} yourself`,
    );
  }
  if (response.status === 416) {
    // The range starts at or past the end: the .part file is not a prefix we can use.
    await response.body?.cancel();
    await Deno.remove(partial);
    return downloadFile(url, destination, options);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(
      `Cannot download ${url}: the server answered ${response.status} ${response.statusText}. Check the URL, or put the file at ${destination} yourself`,
    );
  }
  const resumed = offset > 0 && response.status === 206;
  if (!resumed) offset = 0; // the server sent the whole file: start over
  const length = Number(response.headers.get("content-length") ?? NaN);
  const total = Number.isFinite(length) ? offset + length : undefined;

  const file = await Deno.open(partial, {
    write: true,
    create: true,
    append: resumed,
    truncate: !resumed,
  });
  let received = offset;
  try {
    for await (const chunk of response.body!) {
      let written = 0;
      while (written < chunk.length) {
        written += await file.write(chunk.subarray(written));
      }
      received += chunk.length;
      onProgress?.(received, total);
    }
  } catch (error) {
    throw new Error(
      `Download of ${url} was cut off after ${received} bytes${
        total ? ` of ${total}` : ""
      } (${(error as Error).message}): run again to resume from ${partial}`,
    );
  } finally {
    file.close();
  }
  if (total !== undefined && received !== total) {
    throw new Error(
      `Download of ${url} ended after ${received} of ${total} bytes: run again to resume from ${partial}`,
    );
  }
  await Deno.rename(partial, destination);
}
