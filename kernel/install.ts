/**
 * Installs (or removes) the kernelspec "deno-webgpu", so Jupyter lists
 * "Deno WebGPU (TypeScript)" among its kernels:
 *
 *   deno task kernel:install [--prefix DIR | --sys-prefix] [--name NAME]
 *       [--permissions "FLAGS"] [--log FILE] [--env KEY=VALUE ...]
 *       [--typecheck off|warn|error]
 *   deno task kernel:install --uninstall [--prefix DIR | --sys-prefix] [--name NAME]
 *
 * Without --prefix the spec goes to the user's Jupyter data folder
 * ($JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter, else ~/.local/share/jupyter);
 * with it, to DIR/share/jupyter (what `jupyter kernelspec install --prefix` does);
 * --sys-prefix means the active virtual environment ($VIRTUAL_ENV, else
 * $CONDA_PREFIX), as ipykernel's flag of that name. --env (repeatable) puts
 * environment variables into the spec, e.g. --env ALEXNET_SIZE=small for a
 * class's shared server. Relative paths are read from the folder the task was
 * started in (`deno task` runs in the project root, and says where in
 * $INIT_CWD), so the task works from any folder of the project.
 * --permissions sets the Deno permission flags of user code (default
 * --allow-all), e.g. --permissions "--allow-read --allow-net=localhost";
 * --name installs such a spec beside the default one. --log makes the kernel
 * write a debug log (DENO_WEBGPU_KERNEL_LOG=FILE does too, at run time).
 * --typecheck sets how type errors affect cells (DENO_WEBGPU_TYPECHECK in the
 * spec's env): "warn" (the default) reports them and runs the cell, "error"
 * stops the cell as `deno check` would, "off" checks nothing.
 */
import { parseArgs } from "node:util";
// A tool, not part of either process: it borrows the executor's PNG encoder.
import { encodePng } from "./executor/png.ts";
import {
  CHECK_MODE_VARIABLE,
  type CheckMode,
  checkMode,
} from "./check_mode.ts";

/** The kernelspec's folder name. */
export const KERNEL_NAME = "deno-webgpu";

/** What the install writes. */
export interface InstallOptions {
  /** The kernelspec's name (default "deno-webgpu"). */
  name?: string;
  /** Install under DIR/share/jupyter instead of the user's data folder. */
  prefix?: string;
  /** Deno permission flags for user code. */
  permissions?: string;
  /** A debug log file for the kernel. */
  log?: string;
  /** Environment variables Jupyter sets for the kernel (kernel.json's "env"). */
  env?: Record<string, string>;
  /** How type errors affect cells (kernel.json's env DENO_WEBGPU_TYPECHECK; unset: "warn"). */
  typecheck?: CheckMode;
  /** The deno binary the spec runs (default: the one running this install). */
  deno?: string;
}

// Jupyter would only say "No such file or directory" for a deno that has
// gone since the install (a deno upgrade, a removed cache): the spec starts
// it through sh, which says which file and what to do.
const LAUNCH = 'test -x "$0" || { echo "deno-webgpu kernel: the deno this ' +
  "kernelspec was installed with ($0) is gone: install deno again, then run " +
  'deno task kernel:install in the project to point the kernelspec at it" ' +
  '>&2; exit 127; }; exec "$0" "$@"';

/**
 * The folder Jupyter reads kernelspecs from.
 *
 * @param prefix an install prefix, or undefined for the user's folder
 * @returns the `kernels` folder
 */
export function kernelsFolder(prefix?: string): string {
  if (prefix) return `${prefix}/share/jupyter/kernels`;
  const explicit = Deno.env.get("JUPYTER_DATA_DIR");
  if (explicit) return `${explicit}/kernels`;
  const xdg = Deno.env.get("XDG_DATA_HOME") ??
    `${Deno.env.get("HOME")}/.local/share`;
  return `${xdg}/jupyter/kernels`;
}

/**
 * The kernel.json for this checkout.
 *
 * @param options permissions and log file
 * @returns the kernelspec object
 */
export function kernelSpec(
  options: InstallOptions = {},
): Record<string, unknown> {
  const main = new URL("./main.ts", import.meta.url).pathname;
  const config = new URL("../deno.json", import.meta.url).pathname;
  const argv = [
    "/bin/sh",
    "-c",
    LAUNCH,
    options.deno ?? Deno.execPath(),
    "run",
    "--allow-all",
    "--config",
    config,
    main,
    "{connection_file}",
  ];
  // "=" keeps a value that starts with "--" from reading as a flag of its own.
  argv.push(`--permissions=${options.permissions ?? "--allow-all"}`);
  if (options.log) argv.push(`--log=${options.log}`);
  const env = {
    ...options.env,
    ...(options.typecheck ? { [CHECK_MODE_VARIABLE]: options.typecheck } : {}),
  };
  return {
    argv,
    ...(Object.keys(env).length ? { env } : {}),
    display_name: "Deno WebGPU (TypeScript)",
    language: "typescript",
    // Interrupts come as interrupt_request on control, not as SIGINT.
    interrupt_mode: "message",
    metadata: { debugger: false },
  };
}

/**
 * Writes the kernelspec folder (kernel.json and two logos).
 *
 * @param options where and how
 * @returns the folder written
 */
export async function install(options: InstallOptions = {}): Promise<string> {
  const folder = `${kernelsFolder(options.prefix)}/${
    options.name ?? KERNEL_NAME
  }`;
  await Deno.mkdir(folder, { recursive: true });
  await Deno.writeTextFile(
    `${folder}/kernel.json`,
    JSON.stringify(kernelSpec(options), null, 2) + "\n",
  );
  for (const size of [32, 64]) {
    await Deno.writeFile(
      `${folder}/logo-${size}x${size}.png`,
      await logo(size),
    );
  }
  return folder;
}

/**
 * Removes the kernelspec folder.
 *
 * @param prefix the prefix it was installed under, if any
 * @param name the kernelspec's name
 * @returns the folder removed, or null when there was none
 */
export async function uninstall(
  prefix?: string,
  name: string = KERNEL_NAME,
): Promise<string | null> {
  const folder = `${kernelsFolder(prefix)}/${name}`;
  try {
    await Deno.remove(folder, { recursive: true });
    return folder;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** A logo: a 4x4 grid of tiles (a GPU's workgroups) shading from blue to orange. */
async function logo(size: number): Promise<Uint8Array> {
  const pixels = new Uint8Array(size * size * 4);
  const tile = size / 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inGap = x % tile < tile / 8 || y % tile < tile / 8;
      const t = (Math.floor(x / tile) + Math.floor(y / tile)) / 6;
      const offset = (y * size + x) * 4;
      pixels.set(
        inGap ? [0, 0, 0, 0] : [
          Math.round(40 + 215 * t),
          Math.round(90 + 60 * t),
          Math.round(200 - 170 * t),
          255,
        ],
        offset,
      );
    }
  }
  return await encodePng(pixels, size, size, 4);
}

/**
 * The active virtual environment, for --sys-prefix.
 *
 * @returns its folder
 * @throws {Error} when none is active
 */
export function sysPrefix(): string {
  const prefix = Deno.env.get("VIRTUAL_ENV") ?? Deno.env.get("CONDA_PREFIX");
  if (!prefix) {
    throw new Error(
      "--sys-prefix needs an active virtual environment, and neither VIRTUAL_ENV nor CONDA_PREFIX is set: activate it (source .venv/bin/activate) or give --prefix DIR",
    );
  }
  return prefix;
}

/**
 * Parses --env values.
 *
 * @param pairs "KEY=VALUE" strings
 * @returns the environment
 * @throws {TypeError} for a pair without "=" or with an empty key
 */
export function parseEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at < 1) {
      throw new TypeError(
        `--env takes KEY=VALUE, got ${
          JSON.stringify(pair)
        }: e.g. --env ALEXNET_SIZE=small`,
      );
    }
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

/** A path the user typed, read from the folder they ran the task in. */
function fromUserFolder(path: string | undefined): string | undefined {
  if (path === undefined || path.startsWith("/")) return path;
  return `${Deno.env.get("INIT_CWD") ?? Deno.cwd()}/${path}`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      prefix: { type: "string" },
      "sys-prefix": { type: "boolean", default: false },
      name: { type: "string" },
      permissions: { type: "string" },
      log: { type: "string" },
      env: { type: "string", multiple: true, default: [] },
      typecheck: { type: "string" },
      uninstall: { type: "boolean", default: false },
    },
  });
  try {
    values.prefix = values["sys-prefix"]
      ? sysPrefix()
      : fromUserFolder(values.prefix);
    values.log = fromUserFolder(values.log);
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(2);
  }
  if (values.uninstall) {
    const removed = await uninstall(values.prefix, values.name);
    console.log(
      removed
        ? `Removed the kernelspec ${removed}`
        : "No deno-webgpu kernelspec was installed there",
    );
  } else {
    let env: Record<string, string>;
    try {
      env = parseEnv(values.env);
    } catch (error) {
      console.error((error as Error).message);
      Deno.exit(2);
    }
    const typecheck = values.typecheck === undefined
      ? undefined
      : checkMode(values.typecheck);
    if (typecheck === null) {
      console.error(
        `--typecheck takes off, warn or error, got ${
          JSON.stringify(values.typecheck)
        }`,
      );
      Deno.exit(2);
    }
    const folder = await install({ ...values, env, typecheck });
    console.log(
      `Installed the kernelspec "${values.name ?? KERNEL_NAME}" in ${folder}`,
    );
  }
}
