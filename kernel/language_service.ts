/**
 * Types and doc comments for inspect_request, from the TypeScript language
 * service. The notebook's executed cells form one virtual file in the
 * notebook's folder, so `import ... from "../lib/mod.ts"` resolves to the real
 * sources and their JSDoc; the code being inspected is appended to it.
 */
import ts from "typescript";

/** What the language service knows about a symbol. */
export interface SymbolInfo {
  /** The signature or type, e.g. `const answer: number`. */
  display: string;
  /** Its doc comment, markdown. */
  documentation: string;
}

/** A language service over the cells run so far. */
export class CellTypes {
  readonly #folder: string;
  readonly #fileName: string;
  #history = "";
  #current = "";
  #version = 0;
  #service: ts.LanguageService | undefined;

  /** @param folder the notebook's folder (absolute path) */
  constructor(folder: string) {
    this.#folder = folder;
    this.#fileName = `${folder}/__notebook_cells__.ts`;
  }

  /**
   * Adds a cell that ran, so later cells see its declarations.
   *
   * @param code the cell's TypeScript
   */
  addCell(code: string): void {
    // A block would hide declarations; separate statements keep them visible.
    this.#history += `${code}\n;\n`;
  }

  /**
   * The type and doc comment of the symbol at a cursor.
   *
   * @param code the cell being edited
   * @param index cursor as a JavaScript string index
   * @returns what the service knows, or null
   */
  quickInfo(code: string, index: number): SymbolInfo | null {
    this.#current = code;
    this.#version++;
    const service = this.#service ??= ts.createLanguageService(
      this.#host(),
      ts.createDocumentRegistry(),
    );
    const position = this.#history.length + index;
    // The symbol may end at the cursor: look just before it too.
    const info = service.getQuickInfoAtPosition(this.#fileName, position) ??
      service.getQuickInfoAtPosition(
        this.#fileName,
        Math.max(this.#history.length, position - 1),
      );
    const display = info ? ts.displayPartsToString(info.displayParts) : "";
    // An unknown name is the error type, shown as a bare "any": nothing found.
    if (!info || display === "any") return null;
    return {
      display,
      documentation: [
        ts.displayPartsToString(info.documentation),
        ...(info.tags ?? []).map((tag) =>
          `@${tag.name} ${ts.displayPartsToString(tag.text)}`
        ),
      ].filter((part) => part.trim() !== "").join("\n\n"),
    };
  }

  #host(): ts.LanguageServiceHost {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ESNext,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      lib: ["lib.esnext.d.ts", "lib.dom.d.ts"],
    };
    return {
      getCompilationSettings: () => options,
      getScriptFileNames: () => [this.#fileName],
      getScriptVersion: (name) =>
        name === this.#fileName ? String(this.#version) : "0",
      getScriptSnapshot: (name) => {
        if (name === this.#fileName) {
          return ts.ScriptSnapshot.fromString(this.#history + this.#current);
        }
        const text = ts.sys.readFile(name);
        return text === undefined
          ? undefined
          : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => this.#folder,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (name) => name === this.#fileName || ts.sys.fileExists(name),
      readFile: (name) =>
        name === this.#fileName
          ? this.#history + this.#current
          : ts.sys.readFile(name),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
  }
}
