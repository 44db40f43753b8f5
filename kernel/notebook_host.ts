/**
 * The TypeScript program a notebook's language service runs over, with the
 * type checker's settings: `strict`, every cell a module (`moduleDetection`
 * force, so a cell may await at top level), Deno's own declarations
 * (`deno types`, see deno_lib.ts) instead of lib.dom, and the cell globals
 * (kernel/executor/cell_globals.d.ts: `display`, `html`, `comms`, ...).
 * Checks, completions, signature help and quick info all see this one
 * program.
 *
 * The cells form one virtual file in the notebook's folder, so
 * `import ... from "../lib/mod.ts"` resolves to the real sources. `npm:`
 * specifiers resolve to the project's node_modules where the package is
 * installed there; `npm:`, `jsr:`, `node:` and URL imports it cannot find
 * are typed `any`, since the executor fetches them at run time.
 */
import ts from "typescript";

/** Where the host finds its inputs. */
export interface HostOptions {
  /** The notebook's folder (absolute): relative imports resolve from it. */
  folder: string;
  /** Deno's declarations, as `deno types` prints them. */
  denoTypes: string;
  /** The cells file's path (in the folder). */
  cellsFile: string;
  /** The cells file's text and version, asked at each request. */
  cells: () => { text: string; version: number };
}

const GLOBALS_FILE = new URL("./executor/cell_globals.d.ts", import.meta.url)
  .pathname;

// Imports the executor resolves at run time but the checker cannot see
// into: typed `any` (a pattern ambient module only applies when the
// specifier does not resolve to a file).
const AMBIENT_MODULES = ["npm:*", "jsr:*", "node:*", "https://*", "http://*"]
  .map((pattern) => `declare module "${pattern}";`).join("\n");

// Files that do not change while the kernel runs: TypeScript's libraries
// and installed packages (a stat of each, at every check, is measurable).
const FIXED_FILE = /\/node_modules\//;

/** The compiler options: as Deno's, strict. */
export const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ESNext,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  // Every cell may await at top level, as the executor allows.
  moduleDetection: ts.ModuleDetectionKind.Force,
  allowImportingTsExtensions: true,
  resolveJsonModule: true,
  // A notebook may import its own JavaScript: typed by inference, as Deno does.
  allowJs: true,
  esModuleInterop: true,
  noEmit: true,
  strict: true,
  skipLibCheck: true,
  // As Deno: class fields have [[Define]] semantics.
  useDefineForClassFields: true,
  lib: ["lib.esnext.d.ts"],
  types: [],
};

/**
 * The host of a notebook's LanguageService.
 *
 * @param options the folder, Deno's declarations and the cells
 * @returns the host; its snapshots are read once per file version and
 *   successful module resolutions are kept (every request's new program
 *   asks for all of them again)
 */
export function notebookHost(options: HostOptions): ts.LanguageServiceHost {
  const folder = options.folder.replace(/(.)\/+$/, "$1");
  const cellsFile = options.cellsFile;
  const denoFile = `${folder}/__deno_types__.d.ts`;
  const ambientFile = `${folder}/__ambient_modules__.d.ts`;
  const virtual = new Map([
    [denoFile, options.denoTypes],
    [ambientFile, AMBIENT_MODULES],
  ]);
  // The course's library (see import_hint.ts), kept parsed while no cell
  // imports it yet, so that the first cell importing it finds it parsed.
  const library: string[] = [];
  const libraryFile = `${folder}/../lib/mod.ts`;
  if (ts.sys.fileExists(libraryFile)) library.push(libraryFile);
  const snapshots = new Map<
    string,
    { version: string; snapshot: ts.IScriptSnapshot }
  >();
  const resolved = new Map<
    string,
    ts.ResolvedModuleWithFailedLookupLocations
  >();
  const read = (name: string): string | undefined =>
    name === cellsFile
      ? options.cells().text
      : virtual.get(name) ?? ts.sys.readFile(name);
  const version = (name: string): string => {
    if (name === cellsFile) return String(options.cells().version);
    if (virtual.has(name) || FIXED_FILE.test(name)) return "0";
    // A module the student edits between cells is read again.
    try {
      return String(Deno.statSync(name).mtime?.getTime() ?? 0);
    } catch {
      return "0";
    }
  };
  const moduleHost: ts.ModuleResolutionHost = {
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    directoryExists: ts.sys.directoryExists,
    realpath: ts.sys.realpath,
  };
  return {
    getCompilationSettings: () => OPTIONS,
    getScriptFileNames: () => [
      denoFile,
      ambientFile,
      GLOBALS_FILE,
      ...library,
      cellsFile,
    ],
    getScriptVersion: version,
    // Asked for every file at every check, even an unchanged one: read
    // each version once (TypeScript's libraries alone are megabytes).
    getScriptSnapshot: (name) => {
      const current = version(name);
      const known = snapshots.get(name);
      if (known?.version === current) return known.snapshot;
      const text = read(name);
      if (text === undefined) return undefined;
      const snapshot = ts.ScriptSnapshot.fromString(text);
      if (name !== cellsFile) {
        snapshots.set(name, { version: current, snapshot });
      }
      return snapshot;
    },
    getCurrentDirectory: () => folder,
    getDefaultLibFileName: (settings) => ts.getDefaultLibFilePath(settings),
    fileExists: (name) =>
      name === cellsFile || virtual.has(name) ||
      ts.sys.fileExists(name),
    readFile: read,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
    realpath: ts.sys.realpath,
    resolveModuleNameLiterals: (literals, containingFile, _, settings) =>
      literals.map((literal) => {
        const specifier = npmPackagePath(literal.text) ?? literal.text;
        if (/^(jsr|node|https?|npm):/.test(specifier)) {
          return { resolvedModule: undefined };
        }
        const key = `${containingFile}\0${specifier}`;
        const known = resolved.get(key);
        if (known) return known;
        const resolution = ts.resolveModuleName(
          specifier,
          containingFile,
          settings,
          moduleHost,
        );
        // A failure is tried again: the file may be written before the next cell.
        if (resolution.resolvedModule) resolved.set(key, resolution);
        return resolution;
      }),
  };
}

/**
 * `npm:name@version/path` as the bare specifier node_modules resolves.
 *
 * @param specifier an import specifier
 * @returns `name/path`, or undefined for anything but npm:
 */
function npmPackagePath(specifier: string): string | undefined {
  const match = specifier.match(
    /^npm:\/?((?:@[^/@]+\/)?[^/@]+)(?:@[^/]*)?(.*)$/,
  );
  return match ? match[1] + match[2] : undefined;
}
