/**
 * Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core,
 * with a fresh profile and no network beyond loopback: every request to
 * another host is aborted and counted, so what renders, renders offline.
 */
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** The browser's flags: no GPU, sandbox (CI runs as root), sync or updates. */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A browser with one page and what it tried to fetch from outside. */
export interface OfflineBrowser {
  page: Page;
  /** URLs outside loopback (or hidden) the page asked for: all were aborted. */
  blocked: string[];
  close(): Promise<void>;
}

/**
 * Starts Chromium with a fresh user-data-dir and one page.
 *
 * @param hide loopback paths to refuse as well, e.g. a Lab extension's assets
 * @returns the page, the blocked URLs and a close that removes the profile
 */
export async function openOfflineBrowser(
  hide?: RegExp,
): Promise<OfflineBrowser> {
  const profile = await Deno.makeTempDir({ prefix: "deno-webgpu-chromium-" });
  let context: BrowserContext;
  try {
    // launchPersistentContext is how playwright takes --user-data-dir.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 1000 },
    });
  } catch (error) {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
    throw new Error(
      `Chromium did not start from /usr/bin/chromium: ${error}; run bash scripts/setup.sh`,
    );
  }
  const blocked: string[] = [];
  await context.route(/.*/, (route) => {
    const url = new URL(route.request().url());
    const local = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
    const hidden = hide?.test(url.pathname) ?? false;
    if (
      !hidden &&
      (local || url.protocol === "data:" || url.protocol === "blob:")
    ) {
      return route.continue();
    }
    blocked.push(url.href);
    return route.abort();
  });
  const page = context.pages()[0] ?? await context.newPage();
  // Playwright dismisses dialogs it is not told about, and a dismissed
  // "leave page?" would keep the page where it is.
  page.on("dialog", (dialog) => dialog.accept().catch(() => {}));
  return {
    page,
    blocked,
    close: async () => {
      await context.close().catch(() => {});
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}
