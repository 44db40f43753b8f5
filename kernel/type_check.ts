/**
 * Type diagnostics for a cell, over the cells that ran before it.
 *
 * The cells form one virtual module in the notebook's folder, so
 * `import ... from "../lib/mod.ts"` resolves to the real sources. Besides the
 * `esnext` library it sees Deno's own declarations (`deno types`, see
 * deno_lib.ts) and the cell globals (kernel/executor/cell_globals.d.ts).
 * `npm:` specifiers resolve to the project's node_modules where the package
 * is installed there; `npm:`, `jsr:`, `node:` and URL imports it cannot find
 * are typed `any`, since the executor fetches them at run time.
 *
 * One LanguageService lives as long as the notebook: only the cells' file
 * changes between checks, so the parsed library files are reused.
 */
import ts from "typescript";
import { CheckHistory } from "./check_history.ts";

/** One diagnostic located in the checked cell. */
export interface CellDiagnostic {
  /** TypeScript's code, e.g. 2322. */
  code: number;
  /** The message, its chain flattened onto indented lines. */
  message: string;
  /** 1-based, in the cell. */
  line: number;
  /** 1-based, in UTF-16 units as editors count them. */
  column: number;
}

/** Where a NotebookChecker finds its inputs. */
export interface CheckerOptions {
  /** The notebook's folder (absolute): relative imports resolve from it. */
  folder: string;
  /** Deno's declarations, as `deno types` prints them. */
  denoTypes: string;
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

const OPTIONS: ts.CompilerOptions = {
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
 * The IPython magics the kernel runs as TypeScript (`%time`, `%%time`) with
 * the magic blanked out, so positions stay those of the cell; null for a
 * cell that is another magic (it never runs).
 *
 * @param code the cell
 * @returns the TypeScript to check, or null
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkedSource } from "./type_check.ts";
 * assert.equal(checkedSource("%%time\nconst a = 1;"), "      \nconst a = 1;");
 * assert.equal(checkedSource("%time f()"), "      f()");
 * assert.equal(checkedSource("%pip install x"), null);
 * assert.equal(checkedSource("const b = 2 % 3;"), "const b = 2 % 3;");
 * ```
 */
export function checkedSource(code: string): string | null {
  const first = code.match(/^[ \t]*(%%?)(\w+)(.*)$/m);
  if (!first || code.slice(0, first.index).trim() !== "") return code;
  const [line, percent, magic] = first;
  if (magic !== "time") return null;
  const start = first.index!;
  // `%%time` takes its whole line; `%time` only the word, its code follows.
  const end = percent === "%%"
    ? start + line.length
    : start + line.indexOf("%") + percent.length + magic.length;
  return code.slice(0, start) + " ".repeat(end - start) + code.slice(end);
}

/** Type-checks cells over the cells that ran before them. */
export class NotebookChecker {
  readonly #folder: string;
  readonly #cellsFile: string;
  readonly #denoFile: string;
  readonly #ambientFile: string;
  readonly #virtual: Map<string, string>;
  /** The course's library, kept parsed while no cell imports it yet. */
  readonly #library: string[] = [];
  readonly #history = new CheckHistory();
  readonly #service: ts.LanguageService;
  #cells = "";
  #version = 0;
  /** Imports resolved so far (by importing file and specifier): every check's new program resolves all of them again. */
  readonly #snapshots = new Map<
    string,
    { version: string; snapshot: ts.IScriptSnapshot }
  >();
  readonly #resolved = new Map<
    string,
    ts.ResolvedModuleWithFailedLookupLocations
  >();

  /** @param options the notebook folder and Deno's declarations */
  constructor(options: CheckerOptions) {
    this.#folder = options.folder.replace(/\/$/, "");
    this.#cellsFile = `${this.#folder}/__notebook_cells__.ts`;
    this.#denoFile = `${this.#folder}/__deno_types__.d.ts`;
    this.#ambientFile = `${this.#folder}/__ambient_modules__.d.ts`;
    this.#virtual = new Map([
      [this.#denoFile, options.denoTypes],
      [this.#ambientFile, AMBIENT_MODULES],
    ]);
    const library = `${this.#folder}/../lib/mod.ts`;
    if (ts.sys.fileExists(library)) this.#library.push(library);
    this.#service = ts.createLanguageService(
      this.#host(),
      ts.createDocumentRegistry(),
    );
  }

  /**
   * Parses and binds what the first check would otherwise wait for (most of
   * a second): Deno's declarations, the cell globals and, in the course's
   * layout (see import_hint.ts), the library at `../lib/mod.ts`, which stays
   * a root of the program so that the first cell importing it finds it parsed.
   */
  warmUp(): void {
    this.check("Deno.env; await display(1);");
  }

  /** How many cells the history holds. */
  get cells(): number {
    return this.#history.size;
  }

  /**
   * The type errors in a cell, as if it ran after the cells added so far.
   * A cell that does not parse gets none: the transpiler reports it.
   *
   * @param code the cell
   * @returns the diagnostics located in the cell, in order
   */
  check(code: string): CellDiagnostic[] {
    const source = checkedSource(code);
    if (source === null || source.trim() === "") return [];
    const before = this.#history.before(source);
    this.#cells = before + source + "\n";
    this.#version++;
    const start = before.length;
    const end = start + source.length;
    const inCell = (d: ts.Diagnostic) =>
      d.start !== undefined && d.start >= start && d.start <= end;
    if (this.#service.getSyntacticDiagnostics(this.#cellsFile).some(inCell)) {
      return [];
    }
    return this.#service.getSemanticDiagnostics(this.#cellsFile)
      .filter((d) => inCell(d) && d.category === ts.DiagnosticCategory.Error)
      .map((d) => located(source, d.start! - start, d));
  }

  /**
   * Adds a cell that ran (also one that failed at run time: what it
   * declared before the error exists in the executor). Other magics and
   * cells that do not parse never ran, and are left out.
   *
   * @param code the cell
   */
  add(code: string): void {
    const source = checkedSource(code);
    if (source === null || source.trim() === "" || !parses(source)) return;
    this.#history.add(source);
  }

  #host(): ts.LanguageServiceHost {
    const read = (name: string): string | undefined =>
      name === this.#cellsFile
        ? this.#cells
        : this.#virtual.get(name) ?? ts.sys.readFile(name);
    const version = (name: string): string => {
      if (name === this.#cellsFile) return String(this.#version);
      if (this.#virtual.has(name) || FIXED_FILE.test(name)) return "0";
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
        this.#denoFile,
        this.#ambientFile,
        GLOBALS_FILE,
        ...this.#library,
        this.#cellsFile,
      ],
      getScriptVersion: version,
      // Asked for every file at every check, even an unchanged one: read
      // each version once (TypeScript's libraries alone are megabytes).
      getScriptSnapshot: (name) => {
        const current = version(name);
        const known = this.#snapshots.get(name);
        if (known?.version === current) return known.snapshot;
        const text = read(name);
        if (text === undefined) return undefined;
        const snapshot = ts.ScriptSnapshot.fromString(text);
        if (name !== this.#cellsFile) {
          this.#snapshots.set(name, { version: current, snapshot });
        }
        return snapshot;
      },
      getCurrentDirectory: () => this.#folder,
      getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
      fileExists: (name) =>
        name === this.#cellsFile || this.#virtual.has(name) ||
        ts.sys.fileExists(name),
      readFile: read,
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
      realpath: ts.sys.realpath,
      resolveModuleNameLiterals: (literals, containingFile, _, options) =>
        literals.map((literal) => {
          const specifier = npmPackagePath(literal.text) ?? literal.text;
          if (/^(jsr|node|https?|npm):/.test(specifier)) {
            return { resolvedModule: undefined };
          }
          const key = `${containingFile}\0${specifier}`;
          const known = this.#resolved.get(key);
          if (known) return known;
          const resolution = ts.resolveModuleName(
            specifier,
            containingFile,
            options,
            moduleHost,
          );
          // A failure is tried again: the file may be written before the next cell.
          if (resolution.resolvedModule) this.#resolved.set(key, resolution);
          return resolution;
        }),
    };
  }
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

function parses(source: string): boolean {
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ESNext);
  // The parser's own list; the public route (a Program) costs far more.
  return ((file as unknown as { parseDiagnostics: unknown[] })
    .parseDiagnostics ?? []).length === 0;
}

function located(
  source: string,
  offset: number,
  diagnostic: ts.Diagnostic,
): CellDiagnostic {
  const before = source.slice(0, offset).split("\n");
  return {
    code: diagnostic.code,
    message: ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"),
    line: before.length,
    column: before.at(-1)!.length + 1,
  };
}
