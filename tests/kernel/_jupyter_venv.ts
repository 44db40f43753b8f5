/**
 * Jupyter servers from the project's virtual environment (.venv, made by
 * scripts/setup.sh with pinned JupyterLab 4, Notebook 7, plotly and Kernel
 * Gateway), started on loopback with private Jupyter folders and the
 * kernelspec installed into a temporary prefix, never the user's.
 */
import { install } from "../../kernel/install.ts";

/** The project's root folder. */
export const ROOT = new URL("../../", import.meta.url).pathname;

/**
 * A program in the project's venv.
 *
 * @param name e.g. "jupyter-lab"
 * @returns its path
 * @throws {Error} when the venv lacks it
 */
export function venvBin(name: string): string {
  const path = `${ROOT}.venv/bin/${name}`;
  try {
    Deno.statSync(path);
  } catch {
    throw new Error(
      `${path} is missing: run bash scripts/setup.sh, which makes the project's .venv`,
    );
  }
  return path;
}

/**
 * A free TCP port on loopback.
 *
 * @returns the port
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * A notebook of code cells on the deno-webgpu kernel, as nbformat 4.5 JSON.
 *
 * @param sources each cell's source
 * @returns the notebook, for JSON.stringify
 */
export function notebookOf(sources: string[]): Record<string, unknown> {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: "deno-webgpu",
        display_name: "Deno WebGPU (TypeScript)",
        language: "typescript",
      },
    },
    cells: sources.map((source, i) => ({
      cell_type: "code",
      id: `cell-${i}`,
      metadata: {},
      execution_count: null,
      outputs: [],
      source,
    })),
  };
}

/**
 * The environment that keeps Jupyter (and the kernelspec that install()
 * put under prefix) to folders under prefix, never the user's, and Python
 * from writing bytecode into the checkout.
 *
 * @param prefix the temporary prefix the kernelspec was installed into
 * @returns variables for a Deno.Command's env
 */
export function privateJupyterEnv(prefix: string): Record<string, string> {
  return {
    JUPYTER_PATH: `${prefix}/share/jupyter`,
    JUPYTER_RUNTIME_DIR: `${prefix}/runtime`,
    JUPYTER_DATA_DIR: `${prefix}/data`,
    JUPYTER_CONFIG_DIR: `${prefix}/config`,
    JUPYTER_PLATFORM_DIRS: "1",
    PYTHONDONTWRITEBYTECODE: "1",
  };
}

/** A running server and the folders it was given. */
export interface JupyterServer {
  /** e.g. http://127.0.0.1:8888 */
  base: string;
  /** The temporary folder holding the prefix, the Jupyter folders and the notebooks. */
  root: string;
  /** What the server printed so far (the last 4000 characters). */
  log(): string;
  /** Shuts the kernels down, stops the server and removes root. */
  stop(): Promise<void>;
}

/** How to start one. */
export interface ServerOptions {
  /**
   * The venv program: "jupyter-lab", "jupyter-notebook" or
   * "jupyter-kernelgateway"; an absolute path is run as it is (Debian's
   * classic Notebook 6 is /usr/bin/jupyter-notebook).
   */
  program: string;
  /** Arguments after the port and the loopback address. */
  args?: string[];
  /** Writes notebooks and files into the served folder before the start. */
  prepare?: (served: string) => Promise<void>;
  /** Extra environment for the server (and so for its kernels). */
  env?: Record<string, string>;
  /** The URL path that answers once it is up (default /api). */
  readyPath?: string;
}

/**
 * Starts a Jupyter server from the venv.
 *
 * @param options program, arguments and set-up
 * @returns the server
 */
export async function startJupyter(
  options: ServerOptions,
): Promise<JupyterServer> {
  const program = options.program.startsWith("/")
    ? options.program
    : venvBin(options.program);
  const root = await Deno.makeTempDir({ prefix: "deno-webgpu-jupyter-" });
  await install({ prefix: root });
  const served = `${root}/served`;
  await Deno.mkdir(served);
  await options.prepare?.(served);
  await writeLabSettings(`${root}/lab-settings`);
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = new Deno.Command(program, {
    args: [`--port=${port}`, "--ip=127.0.0.1", ...(options.args ?? [])],
    cwd: served,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: {
      ...privateJupyterEnv(root),
      JUPYTERLAB_SETTINGS_DIR: `${root}/lab-settings`,
      JUPYTERLAB_WORKSPACES_DIR: `${root}/lab-workspaces`,
      ...options.env,
    },
  }).spawn();
  // Both streams are kept for failure messages (and drained, so the server
  // never blocks on a full pipe).
  let output = "";
  const drain = Promise.all([server.stdout, server.stderr].map(async (s) => {
    for await (const text of s.pipeThrough(new TextDecoderStream())) {
      output = (output + text).slice(-20_000);
    }
  })).catch(() => {});
  const log = () => output.slice(-4000);
  const stop = async () => {
    try {
      const listed = await fetch(`${base}/api/kernels`).then((r) => r.json())
        .catch(() => []);
      for (const kernel of Array.isArray(listed) ? listed : []) {
        await fetch(`${base}/api/kernels/${kernel.id}`, { method: "DELETE" })
          .then((r) => r.body?.cancel()).catch(() => {});
      }
    } finally {
      try {
        server.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await server.status;
      await drain;
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  };
  try {
    await waitForServer(
      `${base}${options.readyPath ?? "/api"}`,
      60_000,
      server,
      log,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { base, root, log, stop };
}

/**
 * User settings for Lab and Notebook 7: every cell stays in the page (the
 * default windowing drops cells scrolled out of view, which a check of
 * rendered outputs would miss) and no news or update checks go out.
 */
async function writeLabSettings(folder: string): Promise<void> {
  const settings: Record<string, Record<string, unknown>> = {
    "@jupyterlab/notebook-extension/tracker": { windowingMode: "none" },
    "@jupyterlab/apputils-extension/notification": {
      fetchNews: "false",
      checkForUpdates: false,
    },
  };
  for (const [plugin, values] of Object.entries(settings)) {
    const path = `${folder}/${plugin}.jupyterlab-settings`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, JSON.stringify(values));
  }
}

async function waitForServer(
  url: string,
  timeoutMs: number,
  server: Deno.ChildProcess,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  server.status.then(() => exited = true);
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `The Jupyter server did not answer at ${url} within ${timeoutMs} ms${
      exited ? " (it exited)" : ""
    }:\n${log()}`,
  );
}
