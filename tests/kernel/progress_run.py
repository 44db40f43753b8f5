"""Runs a two-cell notebook with tools/notebook_progress.py's ProgressClient.

The second cell drives lib/train/live.ts's progress bar as a training run
does, so the client must read epoch, batch, loss and rate from the real
display updates. Progress goes to stderr (a pipe: plain lines), and the
notebook's outputs to stdout as JSON.
Usage: progress_run.py NOTEBOOK_DIR LIVE_TS_PATH
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import nbformat  # noqa: E402
from notebook_progress import ProgressClient  # noqa: E402

live = sys.argv[2]
nb = nbformat.v4.new_notebook()
nb.cells = [
    nbformat.v4.new_code_cell(f'import {{ LiveView }} from "{live}";'),
    nbformat.v4.new_code_cell(
        "const view = new LiveView(true, 'check');\n"
        "for (let batch = 1; batch <= 10; batch++) {\n"
        "  await view.progress(0, 2, batch, 10, `loss ${(1 / batch).toFixed(4)}, 40.0 examples/s`);\n"
        "  await new Promise((resolve) => setTimeout(resolve, 150));\n"
        "}"
    ),
]
client = ProgressClient(nb, label="progress-check", interval=0.3, kernel_name="deno-webgpu", timeout=120)
client.execute()
print(json.dumps([c.get("outputs", []) for c in nb.cells]))
