/**
 * The TypeScript language service over the notebook: types and doc comments
 * for inspect_request, completions for complete_request, and the signature
 * of the call being typed. The notebook's executed cells form one virtual
 * file in the notebook's folder, so `import ... from "../lib/mod.ts"`
 * resolves to the real sources and their JSDoc; the cell being typed is
 * appended to it.
 */
import ts from "typescript";
import {
  type CompletionItem,
  isDropped,
  jupyterType,
  nameTier,
} from "./completion_items.ts";
import { CellHistory } from "./cell_history.ts";
import { docMarkdown } from "./doc_markdown.ts";
import {
  aliased,
  innermostNode,
  isInternal,
  receiverType,
  scopeSymbols,
  signatureOf,
  symbolType,
} from "./ts_symbols.ts";

/** What the language service knows about a symbol. */
export interface SymbolInfo {
  /** The signature or type, e.g. `const answer: number`. */
  display: string;
  /** Its doc comment, markdown. */
  documentation: string;
  /** Where it is declared, and its TypeScript source (with `withSource`). */
  source?: DeclarationSource;
}

/** A declaration's TypeScript text and where it is. */
export interface DeclarationSource {
  /** The file's absolute path, or null for a cell of the notebook. */
  file: string | null;
  /** Its first line, 1-based (in its cell, for a cell). */
  line: number;
  /** The declaration's text. */
  text: string;
}

/** The call whose arguments the cursor is in. */
export interface SignatureInfo {
  /** The whole signature, e.g. `conv2d(input: Tensor, weight: Tensor): Tensor`. */
  label: string;
  /** The function's doc comment, markdown. */
  documentation: string;
  /** The parameter the cursor is at, when the signature has one there. */
  parameter?: { name: string; label: string; documentation: string };
  /** The argument the cursor is at, 0-based. */
  argumentIndex: number;
  /** The callee's source (with `withSource`). */
  source?: DeclarationSource;
}

/** Completions at a cursor; positions are UTF-16 indices into the code. */
export interface StaticCompletions {
  items: CompletionItem[];
  /** The typed part that the items replace: [start, end). */
  start: number;
  end: number;
  /**
   * "member" after `value.` where the service knows the value's type,
   * "untyped" after `value.` where it does not (`any`, an unknown name):
   * the live value's members are what is there; "scope" otherwise.
   */
  context: "member" | "untyped" | "scope";
}

// Declarations longer than this are shown up to here, with a note.
const SOURCE_LINES = 120;
// Signatures are worked out for this many items at most (the list's head).
const SIGNATURE_ITEMS = 200;

/** A language service over the cells run so far. */
export class CellTypes {
  readonly #folder: string;
  readonly #fileName: string;
  readonly #history = new CellHistory();
  #current = "";
  #version = 0;
  #service: ts.LanguageService | undefined;

  /** @param folder the notebook's folder (absolute path) */
  constructor(folder: string) {
    this.#folder = folder.replace(/(.)\/+$/, "$1");
    this.#fileName = `${this.#folder}/__notebook_cells__.ts`;
  }

  /**
   * Adds a cell that ran, so later cells see its declarations.
   *
   * @param code the cell's TypeScript
   */
  addCell(code: string): void {
    this.#history.add(code);
  }

  /**
   * The type and doc comment of the symbol at a cursor.
   *
   * @param code the cell being edited
   * @param index cursor as a JavaScript string index
   * @param withSource also find the declaration's source
   * @returns what the service knows, or null
   */
  quickInfo(
    code: string,
    index: number,
    withSource = false,
  ): SymbolInfo | null {
    const service = this.#update(code);
    const position = this.#history.text.length + index;
    // The symbol may end at the cursor: look just before it too.
    const at = service.getQuickInfoAtPosition(this.#fileName, position)
      ? position
      : Math.max(this.#history.text.length, position - 1);
    const info = service.getQuickInfoAtPosition(this.#fileName, at);
    const display = info ? ts.displayPartsToString(info.displayParts) : "";
    // An unknown name is the error type, shown as a bare "any": nothing found.
    if (!info || display === "any") return null;
    const source = withSource ? this.#source(service, at) : undefined;
    return {
      display,
      documentation: docMarkdown(info.documentation, info.tags),
      ...(source ? { source } : {}),
    };
  }

  /**
   * The signature of the call whose arguments hold the cursor, with the
   * current parameter's doc.
   *
   * @param code the cell being edited
   * @param index cursor as a JavaScript string index
   * @param withSource also find the callee's source
   * @returns the signature, or null outside a call's arguments
   */
  signatureHelp(
    code: string,
    index: number,
    withSource = false,
  ): SignatureInfo | null {
    const service = this.#update(code);
    const help = service.getSignatureHelpItems(
      this.#fileName,
      this.#history.text.length + index,
      { triggerReason: { kind: "invoked" } },
    );
    const item = help?.items[help.selectedItemIndex];
    if (!help || !item) return null;
    const text = ts.displayPartsToString;
    const params = item.parameters.map((p) => text(p.displayParts));
    // The callee ends just before the "(" that opens the arguments.
    const callee = this.#calleeEnd(help.applicableSpan.start);
    const label = (callee !== null && this.#isNew(callee) ? "new " : "") +
      text(item.prefixDisplayParts) +
      params.join(text(item.separatorDisplayParts)) +
      text(item.suffixDisplayParts);
    const parameter = item.parameters[
      item.isVariadic
        ? Math.min(help.argumentIndex, item.parameters.length - 1)
        : help.argumentIndex
    ];
    let documentation = docMarkdown(item.documentation, item.tags);
    if (documentation === "" && callee !== null) {
      // A constructor without a doc of its own: its class's doc.
      const info = service.getQuickInfoAtPosition(this.#fileName, callee);
      documentation = info ? docMarkdown(info.documentation, info.tags) : "";
    }
    const source = withSource && callee !== null
      ? this.#source(service, callee)
      : undefined;
    return {
      label,
      documentation,
      argumentIndex: help.argumentIndex,
      ...(parameter
        ? {
          parameter: {
            name: parameter.name,
            label: text(parameter.displayParts),
            // `@param x - text`: the dash is JSDoc's separator.
            documentation: docMarkdown(parameter.documentation, [])
              .replace(/^-\s*/, ""),
          },
        }
        : {}),
      ...(source ? { source } : {}),
    };
  }

  /**
   * Completions at a cursor: members after a dot (of the type the service
   * works out, after calls too), names in scope with the cell's own
   * declarations first, option names in object literals, import paths.
   *
   * @param code the cell being typed
   * @param index cursor as a JavaScript string index
   * @returns the items and the range they replace, or null where the
   *   service offers nothing (not even an "untyped" member position)
   */
  completions(code: string, index: number): StaticCompletions | null {
    const service = this.#update(code);
    const offset = this.#history.text.length;
    const position = offset + index;
    const before = code.slice(0, index);
    const info = service.getCompletionsAtPosition(this.#fileName, position, {
      includeCompletionsWithInsertText: true,
      // Deno imports name the file: "./x.ts", never "./x".
      importModuleSpecifierEnding: "js",
    });
    if (!info || info.entries.length === 0) {
      const partial = before.match(/\.\s*([\w$]*)$/);
      if (!partial) return null;
      return {
        items: [],
        start: index - partial[1].length,
        end: index,
        context: "untyped",
      };
    }
    const pathLike = info.entries.some((entry) =>
      entry.kind === "script" || entry.kind === "directory"
    );
    const span = info.optionalReplacementSpan;
    const start = pathLike
      ? index - before.match(/[^"'`/]*$/)![0].length
      : span && span.start >= offset && span.start <= position
      ? span.start - offset
      : index - before.match(/[\w$]*$/)![0].length;
    const partial = code.slice(start, index);
    const program = service.getProgram();
    const checker = program?.getTypeChecker();
    const file = program?.getSourceFile(this.#fileName);
    const node = file ? innermostNode(file, Math.max(0, position - 1)) : null;
    const receiver = info.isMemberCompletion && node && checker
      ? receiverType(node, position, checker)
      : null;
    const scope = !info.isMemberCompletion && node && checker
      ? scopeSymbols(node, checker)
      : null;
    const items: CompletionItem[] = [];
    const order: string[] = [];
    for (const entry of info.entries) {
      const text = entry.kind === "directory" ? `${entry.name}/` : entry.name;
      if (!text.startsWith(partial) || isDropped(text)) continue;
      // Names that need brackets (`value["a-b"]`) come with an insert text.
      if (entry.insertText !== undefined && entry.insertText !== text) continue;
      const symbol = receiver && checker
        ? checker.getPropertyOfType(receiver, entry.name)
        : scope?.get(entry.name);
      const resolved = symbol && checker ? aliased(symbol, checker) : symbol;
      const deprecated = entry.kindModifiers?.includes("deprecated") ?? false;
      items.push({
        text,
        type: entry.kind === "alias" && resolved
          ? symbolType(resolved)
          : jupyterType(entry.kind),
        tier: resolved && isInternal(resolved)
          ? 2
          : Math.max(nameTier(text), deprecated ? 1 : 0),
      });
      order.push(entry.sortText);
      if (items.length <= SIGNATURE_ITEMS && resolved && checker && node) {
        const signature = signatureOf(resolved, node, checker);
        if (signature) items[items.length - 1].signature = signature;
      }
    }
    // The service's order (locals before globals), then ours by tier.
    const ranked = items.map((item, i) => ({ item, key: order[i] }))
      .sort((a, b) =>
        a.item.tier - b.item.tier ||
        (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
      ).map(({ item }) => item);
    return {
      items: ranked,
      start,
      end: index,
      context: info.isMemberCompletion ? "member" : "scope",
    };
  }

  /** Builds the program and its checker now, so the next request is quick. */
  warm(): void {
    this.#update("").getProgram()?.getTypeChecker();
  }

  #update(code: string): ts.LanguageService {
    this.#current = code;
    this.#version++;
    return this.#service ??= ts.createLanguageService(
      this.#host(),
      ts.createDocumentRegistry(),
    );
  }

  // The position of the callee's last character, from where its "(" is.
  #calleeEnd(argumentsStart: number): number | null {
    const text = this.#history.text + this.#current;
    let at = text.lastIndexOf("(", argumentsStart);
    while (at > 0 && /\s/.test(text[at - 1])) at--;
    // Skip type arguments: f<T>(...).
    if (text[at - 1] === ">") {
      let depth = 0;
      for (at--; at > 0; at--) {
        if (text[at] === ">") depth++;
        else if (text[at] === "<" && --depth === 0) break;
      }
    }
    return at > this.#history.text.length ? at - 1 : null;
  }

  // Whether the callee ending at a position follows `new`.
  #isNew(calleeEnd: number): boolean {
    const before = (this.#history.text + this.#current).slice(0, calleeEnd + 1);
    return /\bnew\s+[\w$.\s]+$/.test(before);
  }

  #source(
    service: ts.LanguageService,
    position: number,
  ): DeclarationSource | undefined {
    const definition = service.getDefinitionAtPosition(
      this.#fileName,
      position,
    )?.[0];
    if (!definition) return undefined;
    const span = definition.contextSpan ?? definition.textSpan;
    const inCells = definition.fileName === this.#fileName;
    const whole = inCells
      ? this.#history.text + this.#current
      : service.getProgram()?.getSourceFile(definition.fileName)?.text;
    if (whole === undefined) return undefined;
    // From the start of the declaration's line, so its indent stays.
    const lineStart = whole.lastIndexOf("\n", span.start - 1) + 1;
    const lines = whole.slice(lineStart, span.start + span.length).split("\n");
    const text = lines.length > SOURCE_LINES
      ? [
        ...lines.slice(0, SOURCE_LINES),
        `// … ${lines.length - SOURCE_LINES} more lines`,
      ].join("\n")
      : lines.join("\n");
    return {
      file: inCells ? null : definition.fileName,
      line:
        whole.slice(inCells ? this.#history.cellStart(lineStart) : 0, lineStart)
          .split("\n").length,
      text,
    };
  }

  #host(): ts.LanguageServiceHost {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ESNext,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      // Every cell is a module (top-level await, no clash with DOM globals).
      moduleDetection: ts.ModuleDetectionKind.Force,
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
          return ts.ScriptSnapshot.fromString(
            this.#history.text + this.#current,
          );
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
          ? this.#history.text + this.#current
          : ts.sys.readFile(name),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
  }
}
