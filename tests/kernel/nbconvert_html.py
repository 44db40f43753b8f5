"""Executes a two-chart notebook with nbclient and exports it with nbconvert to HTML.

Run by nbconvert_html_test.ts with JUPYTER_PATH set to a temporary kernelspec
prefix. argv[1]: the folder to write plots.ipynb and plots.html in.
"""
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

folder = sys.argv[1]
notebook = nbformat.v4.new_notebook()
notebook.cells = [
    nbformat.v4.new_code_cell("plot({ data: [{ y: [1, 4, 2, 5] }], layout: { title: { text: 'first' } } })"),
    nbformat.v4.new_code_cell(
        "await display(plot([{ y: [0] }]), { displayId: 'live' });\n"
        "await display(plot([{ y: [3, 1, 2] }]), { displayId: 'live', update: true });"
    ),
]
notebook.metadata["kernelspec"] = {"name": "deno-webgpu", "display_name": "Deno WebGPU (TypeScript)", "language": "typescript"}
NotebookClient(notebook, timeout=120, kernel_name="deno-webgpu", resources={"metadata": {"path": folder}}).execute()
nbformat.write(notebook, os.path.join(folder, "plots.ipynb"))
body, _ = HTMLExporter().from_notebook_node(notebook)
with open(os.path.join(folder, "plots.html"), "w") as f:
    f.write(body)
print("exported", len(body), "characters")
