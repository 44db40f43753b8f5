/**
 * Text and HTML forms of tensor values for printing and notebooks: PyTorch's
 * layout for text (elided past 1000 values), an HTML table for small 2-D
 * tensors.
 *
 * @module
 */
import { escapeHtml } from "../display.ts";

const EDGE = 3;
const FULL_LIMIT = 1000;
const TABLE_LIMIT = 20;

function formatter(values: Float32Array): (v: number) => string {
  let integral = true;
  let largest = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (!Number.isInteger(v)) integral = false;
    largest = Math.max(largest, Math.abs(v));
  }
  const scientific = largest >= 1e8 || (largest > 0 && largest < 1e-4);
  return (v) => {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    if (scientific) return v.toExponential(4);
    return integral ? `${v}.` : v.toFixed(4);
  };
}

/** Nested-bracket text of the values, eliding the middle of long dims. */
export function formatValues(
  shape: readonly number[],
  values: Float32Array,
): string {
  const format = formatter(values);
  const elide = values.length > FULL_LIMIT;
  const cells = Array.from(values, format);
  const width = Math.max(0, ...cells.map((c) => c.length));
  const strides = shape.map((_, d) =>
    shape.slice(d + 1).reduce((p, s) => p * s, 1)
  );
  const render = (offset: number, dim: number, indent: string): string => {
    if (dim === shape.length) return cells[offset].padStart(width);
    const size = shape[dim];
    const indices = elide && size > 2 * EDGE
      ? [
        ...Array.from({ length: EDGE }, (_, i) => i),
        -1,
        ...Array.from({ length: EDGE }, (_, i) => size - EDGE + i),
      ]
      : Array.from({ length: size }, (_, i) => i);
    const parts = indices.map((i) =>
      i === -1
        ? "..."
        : render(offset + i * strides[dim], dim + 1, indent + " ")
    );
    const separator = dim === shape.length - 1
      ? ", "
      : ",\n" + "\n".repeat(shape.length - dim - 2) + indent + " ";
    return `[${parts.join(separator)}]`;
  };
  return render(0, 0, "");
}

/** `tensor([[1., 2.], [3., 4.]], shape=[2, 2])`, PyTorch-like. */
export function formatText(
  shape: readonly number[],
  values: Float32Array,
  requiresGrad = false,
  gradFn?: string,
): string {
  const body = formatValues(shape, values).replaceAll("\n", "\n       ");
  const extras = [`shape=[${shape.join(", ")}]`];
  if (gradFn) extras.push(`gradFn=${gradFn}`);
  else if (requiresGrad) extras.push("requiresGrad=true");
  return `tensor(${body}, ${extras.join(", ")})`;
}

/** A header with the shape, and a table (small 2-D) or the text form. */
export function formatHtml(
  shape: readonly number[],
  values: Float32Array,
  requiresGrad = false,
): string {
  const header = `<div><b>Tensor</b> shape [${shape.join(", ")}], float32${
    requiresGrad ? ", requires grad" : ""
  }</div>`;
  const format = formatter(values);
  if (
    (shape.length === 2 || shape.length === 1) &&
    shape.every((s) => s <= TABLE_LIMIT)
  ) {
    const [rows, cols] = shape.length === 2 ? shape : [1, shape[0]];
    const body = Array.from(
      { length: rows },
      (_, r) =>
        `<tr>${
          Array.from(
            { length: cols },
            (_, c) =>
              `<td style="text-align:right">${
                format(values[r * cols + c])
              }</td>`,
          )
            .join("")
        }</tr>`,
    ).join("");
    return `${header}<table>${body}</table>`;
  }
  return `${header}<pre>${escapeHtml(formatValues(shape, values))}</pre>`;
}
