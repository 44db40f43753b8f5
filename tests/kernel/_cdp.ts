/**
 * A minimal Chrome DevTools Protocol client: headless Chromium (Debian's)
 * started with a debugging port, one page, commands answered by id.
 */

/** One page of a headless Chromium. */
export class HeadlessPage {
  readonly #browser: Deno.ChildProcess;
  readonly #socket: WebSocket;
  readonly #profile: string;
  #nextId = 0;
  readonly #waiting = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();

  private constructor(
    browser: Deno.ChildProcess,
    socket: WebSocket,
    profile: string,
  ) {
    this.#browser = browser;
    this.#socket = socket;
    this.#profile = profile;
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      const waiter = this.#waiting.get(message.id);
      if (!waiter) return;
      this.#waiting.delete(message.id);
      if (message.error) {
        waiter.reject(
          new Error(`${message.error.message} (${message.error.code})`),
        );
      } else waiter.resolve(message.result);
    };
  }

  /**
   * Starts Chromium headless and opens a blank page.
   *
   * @param width window width
   * @param height window height
   * @returns the page
   */
  static async open(width = 1280, height = 900): Promise<HeadlessPage> {
    const profile = await Deno.makeTempDir({ prefix: "deno-webgpu-chromium-" });
    const browser = new Deno.Command("chromium", {
      args: [
        "--headless=new",
        "--no-sandbox", // tests run as root in CI
        "--disable-gpu",
        "--no-first-run",
        "--disable-dev-shm-usage",
        `--window-size=${width},${height}`,
        `--user-data-dir=${profile}`,
        "--remote-debugging-port=0",
        "about:blank",
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    // Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID".
    const reader = browser.stderr.pipeThrough(new TextDecoderStream())
      .getReader();
    let text = "";
    let port = "";
    while (!port) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`Chromium exited before it listened: ${text}`);
      text += value;
      port = text.match(/DevTools listening on ws:\/\/[^:]+:(\d+)\//)?.[1] ??
        "";
    }
    (async () => {
      while (!(await reader.read()).done); // keep draining so Chromium never blocks on stderr
    })();
    const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`))
      .json();
    const page = targets.find((t: { type: string }) => t.type === "page");
    const socket = new WebSocket(page.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = reject;
    });
    return new HeadlessPage(browser, socket, profile);
  }

  /**
   * Sends a DevTools command.
   *
   * @param method e.g. "Page.navigate"
   * @param params its parameters
   * @returns the result
   */
  send(
    method: string,
    params: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    const id = ++this.#nextId;
    this.#socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) =>
      this.#waiting.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
      })
    );
  }

  /**
   * Evaluates an expression in the page.
   *
   * @param expression JavaScript
   * @returns its value (by value)
   */
  async evaluate(expression: string): Promise<unknown> {
    const result = await this.send("Runtime.evaluate", {
      expression,
      returnByValue: true,
      awaitPromise: true,
    });
    return (result.result as { value?: unknown }).value;
  }

  /**
   * Waits until an expression is truthy in the page.
   *
   * @param expression JavaScript
   * @param timeoutMs how long to wait
   * @throws {Error} when it never becomes truthy
   */
  async waitFor(expression: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (
        await this.evaluate(
          `(() => { try { return !!(${expression}); } catch { return false; } })()`,
        )
      ) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(
      `Timed out after ${timeoutMs} ms waiting for ${expression}`,
    );
  }

  /**
   * A PNG screenshot of the page.
   *
   * @returns the PNG bytes
   */
  async screenshot(): Promise<Uint8Array> {
    const { data } = await this.send("Page.captureScreenshot", {
      format: "png",
    });
    return Uint8Array.from(atob(data as string), (c) => c.charCodeAt(0));
  }

  /** Closes the browser and removes its profile. */
  async close(): Promise<void> {
    this.#socket.close();
    try {
      this.#browser.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await this.#browser.status;
    await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
  }
}
