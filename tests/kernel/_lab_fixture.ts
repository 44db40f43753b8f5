/**
 * The set-up the JupyterLab 4 / Notebook 7 browser tests share: a server
 * from the project's venv with the kernelspec installed and the test's
 * notebooks served beside links to lib/ and shaders/, an offline Chromium
 * page, and on a failure a screenshot and the server's log in the error.
 */
import { type JupyterServer, ROOT, startJupyter } from "./_jupyter_venv.ts";
import { openNotebook } from "./_lab_page.ts";
import { type OfflineBrowser, openOfflineBrowser } from "./_playwright.ts";

/** The served notebooks' builder, for the tests that take their set-up from here. */
export { notebookOf } from "./_jupyter_venv.ts";

/** Where the browser tests leave their screenshots. */
export const SHOTS = `${ROOT}out/browser`;

/**
 * Server flags for a page the test drives: no token or password, and the
 * app exposed as `window.jupyterapp` (what _lab_page.ts reads).
 */
export const LAB_ARGS = [
  "--no-browser",
  "--allow-root",
  "--expose-app-in-browser",
  "--ServerApp.token=",
  "--ServerApp.password=",
  "--ServerApp.disable_check_xsrf=True",
  "--LabApp.news_url=",
];

/** What a test gets: the server, the browser's page and its blocked URLs. */
export interface Lab extends OfflineBrowser {
  server: JupyterServer;
  /** The server's URL, e.g. http://127.0.0.1:8888 */
  base: string;
  /**
   * Opens notebooks/NAME in Lab's tree, in a fresh workspace (?reset: not
   * the tabs a previous notebook left), and waits for its kernel to be idle.
   */
  open(name: string): Promise<void>;
}

/** How to set a Lab up. */
export interface LabOptions {
  /** The venv program (default "jupyter-lab"). */
  program?: string;
  /** Files to write into served/notebooks/, by name: JSON-stringified. */
  notebooks?: Record<string, unknown>;
  /** More to put in the served folder (after notebooks/ exists). */
  prepare?: (served: string) => Promise<void>;
  /** Loopback paths the browser refuses, e.g. an extension's assets. */
  hide?: RegExp;
  /** The failure screenshot's name in SHOTS (default failure.png). */
  failureShot?: string;
}

/**
 * Runs fn against a fresh server and browser and closes both after it.
 *
 * @param options the served notebooks and the server's program
 * @param fn the test's steps
 * @throws {Error} fn's error with the server's log appended (a screenshot
 *   of the page goes to SHOTS first)
 */
export async function withLab(
  options: LabOptions,
  fn: (lab: Lab) => Promise<void>,
): Promise<void> {
  const server = await startJupyter({
    program: options.program ?? "jupyter-lab",
    args: LAB_ARGS,
    prepare: async (served) => {
      await Deno.mkdir(`${served}/notebooks`);
      for (const [name, notebook] of Object.entries(options.notebooks ?? {})) {
        await Deno.writeTextFile(
          `${served}/notebooks/${name}`,
          JSON.stringify(notebook),
        );
      }
      // So `../lib/mod.ts` resolves from a served notebook.
      for (const folder of ["lib", "shaders"]) {
        await Deno.symlink(`${ROOT}${folder}`, `${served}/${folder}`);
      }
      await options.prepare?.(served);
    },
  });
  let browser: OfflineBrowser;
  try {
    browser = await openOfflineBrowser(options.hide);
    await Deno.mkdir(SHOTS, { recursive: true });
  } catch (error) {
    await server.stop();
    throw error;
  }
  const { page } = browser;
  const open = (name: string) =>
    openNotebook(page, `${server.base}/lab/tree/notebooks/${name}?reset`);
  try {
    await fn({ ...browser, server, base: server.base, open });
  } catch (error) {
    await page.screenshot({
      path: `${SHOTS}/${options.failureShot ?? "failure.png"}`,
    }).catch(() => {});
    throw new Error(`${error}\n--- server log ---\n${server.log()}`);
  } finally {
    await browser.close();
    await server.stop();
  }
}
