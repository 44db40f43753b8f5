/**
 * Doc comments as markdown for inspect_request and the pager: the text of a
 * JSDoc comment as the TypeScript language service gives it (display parts,
 * `{@link}` included), then its tags: `@param` as a list, `@returns`,
 * `@throws`, and `@example` blocks fenced on lines of their own.
 */

/** One piece of a doc comment (ts.SymbolDisplayPart's shape). */
export interface DocPart {
  text: string;
  kind: string;
}

/** One JSDoc tag (ts.JSDocTagInfo's shape). */
export interface DocTag {
  name: string;
  text?: DocPart[];
}

// Tags that say nothing to a reader of the notebook.
const SILENT_TAGS = new Set(["internal", "module", "category"]);

/**
 * Display parts as markdown: `{@link Name}` becomes `` `Name` ``.
 *
 * @param parts the parts
 * @returns markdown text
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { partsMarkdown } from "./doc_markdown.ts";
 *
 * assert.equal(
 *   partsMarkdown([
 *     { text: "See ", kind: "text" },
 *     { text: "{@link ", kind: "link" },
 *     { text: "Conv2d", kind: "linkName" },
 *     { text: "}", kind: "link" },
 *   ]),
 *   "See `Conv2d`",
 * );
 * ```
 */
export function partsMarkdown(parts: readonly DocPart[] | undefined): string {
  let text = "";
  let inLink = false;
  let linkText = "";
  for (const part of parts ?? []) {
    if (part.kind === "link") {
      // "{@link " opens, "}" closes; what lies between is the name (and label).
      if (inLink) text += "`" + linkText.trim() + "`";
      inLink = !inLink;
      linkText = "";
    } else if (inLink) {
      linkText += part.text;
    } else {
      text += part.text;
    }
  }
  return text;
}

/**
 * A doc comment and its tags as one markdown text.
 *
 * @param documentation the comment's text
 * @param tags its JSDoc tags, in source order
 * @returns markdown (empty when there is no comment)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { docMarkdown } from "./doc_markdown.ts";
 *
 * const fence = "`".repeat(3);
 * const markdown = docMarkdown([{ text: "Doubles.", kind: "text" }], [
 *   {
 *     name: "param",
 *     text: [
 *       { text: "x", kind: "parameterName" },
 *       { text: " ", kind: "space" },
 *       { text: "a number", kind: "text" },
 *     ],
 *   },
 *   { name: "example", text: [{ text: `${fence}ts\ntwice(2);\n${fence}`, kind: "text" }] },
 * ]);
 * assert.equal(
 *   markdown,
 *   `Doubles.\n\n**Parameters**\n\n- \`x\`: a number\n\n**Example**\n\n${fence}ts\ntwice(2);\n${fence}`,
 * );
 * ```
 */
export function docMarkdown(
  documentation: readonly DocPart[] | undefined,
  tags: readonly DocTag[] | undefined,
): string {
  const sections = [partsMarkdown(documentation).trim()];
  const params: string[] = [];
  const typeParams: string[] = [];
  const rest: string[] = [];
  for (const tag of tags ?? []) {
    if (SILENT_TAGS.has(tag.name)) continue;
    if (tag.name === "param" || tag.name === "template") {
      (tag.name === "param" ? params : typeParams).push(listItem(tag.text));
    } else if (tag.name === "example") {
      rest.push(`**Example**\n\n${exampleBlock(partsMarkdown(tag.text))}`);
    } else {
      const text = partsMarkdown(tag.text).trim();
      const title = TAG_TITLES[tag.name] ?? `@${tag.name}`;
      rest.push(text === "" ? `**${title}**` : `**${title}**: ${text}`);
    }
  }
  if (params.length > 0) {
    sections.push(`**Parameters**\n\n${params.join("\n")}`);
  }
  if (typeParams.length > 0) {
    sections.push(`**Type parameters**\n\n${typeParams.join("\n")}`);
  }
  return [...sections, ...rest].filter((part) => part !== "").join("\n\n");
}

const TAG_TITLES: Record<string, string> = {
  returns: "Returns",
  return: "Returns",
  throws: "Throws",
  deprecated: "Deprecated",
  see: "See",
  default: "Default",
  remarks: "Remarks",
};

// `@param name text`: the service gives the name as its own part.
function listItem(parts: readonly DocPart[] | undefined): string {
  const name = parts?.find((part) =>
    part.kind === "parameterName" || part.kind === "typeParameterName"
  )?.text;
  const text = partsMarkdown(
    parts?.filter((part) =>
      part.kind !== "parameterName" && part.kind !== "typeParameterName"
    ),
  ).trim().replace(/^-\s*/, "").replace(/\n+/g, " ");
  if (name === undefined) return `- ${text}`;
  return text === "" ? `- \`${name}\`` : `- \`${name}\`: ${text}`;
}

// An example is code: fenced already (each fence on a line of its own), or
// fenced here.
function exampleBlock(text: string): string {
  const trimmed = text.replace(/^\n+|\s+$/g, "");
  if (!trimmed.includes("```")) return "```typescript\n" + trimmed + "\n```";
  return trimmed.replace(/([^\n])[ \t]*```/g, "$1\n```");
}
