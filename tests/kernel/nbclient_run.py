"""Executes a small TypeScript notebook with nbclient through the deno-webgpu kernel.

Run by nbclient_test.ts with JUPYTER_PATH set to a temporary kernelspec prefix.
argv[1]: the folder to write the notebook in. Exits non-zero on a failed check.
"""
import os
import sys

import nbformat
from nbclient import NotebookClient

folder = sys.argv[1]
with open(os.path.join(folder, "shapes.ts"), "w") as f:
    f.write("export function area(w: number, h: number): number { return w * h; }\n")

cells = [
    "import { area } from './shapes.ts';\nconst sides: number[] = [3, 4];\narea(sides[0], sides[1])",
    "for (let i = 0; i < 3; i++) console.log(`epoch ${i}`);",
    "await display(html`<p>progress 0</p>`, { displayId: 'p' });\n"
    "await display(html`<p>progress 1</p>`, { displayId: 'p', update: true });",
    "plot([{ x: [1, 2, 3], y: [2, 1, 3], type: 'scatter' }])",
    "for (let i = 0; i < 10000; i++) console.log(i);",
    "const total = sides.reduce((a, b) => a + b, 0);\ntotal",
]
notebook = nbformat.v4.new_notebook()
notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
notebook.metadata["kernelspec"] = {"name": "deno-webgpu", "display_name": "Deno WebGPU (TypeScript)", "language": "typescript"}
client = NotebookClient(notebook, timeout=120, kernel_name="deno-webgpu", resources={"metadata": {"path": folder}})
client.execute()
nbformat.write(notebook, os.path.join(folder, "executed.ipynb"))

outputs = [cell.outputs for cell in notebook.cells]
failures = []


def expect(condition, message):
    if not condition:
        failures.append(message)


expect(outputs[0][0]["data"]["text/plain"] == "12", f"cell 1: {outputs[0]}")
expect(outputs[1][0]["text"] == "epoch 0\nepoch 1\nepoch 2\n", f"cell 2: {outputs[1]}")
# nbclient applies update_display_data to the output it names.
expect(outputs[2][0]["data"]["text/html"] == "<p>progress 1</p>", f"cell 3: {outputs[2]}")
plots = [o for o in outputs[3] if "application/vnd.plotly.v1+json" in o.get("data", {})]
expect(len(plots) == 1 and "text/html" in plots[0]["data"], f"cell 4: {[list(o.get('data', {})) for o in outputs[3]]}")
printed = "".join(o["text"] for o in outputs[4] if o["output_type"] == "stream")
expect(printed.count("\n") == 10000, f"cell 5: {printed.count(chr(10))} of 10000 lines before idle")
expect(outputs[5][0]["data"]["text/plain"] == "7", f"cell 6: {outputs[5]}")
expect([c.execution_count for c in notebook.cells] == [1, 2, 3, 4, 5, 6], "execution counts")
for failure in failures:
    print("FAIL", failure[:2000])
print(f"{len(cells) - len(failures)} cells checked, {len(failures)} failed")
sys.exit(1 if failures else 0)
