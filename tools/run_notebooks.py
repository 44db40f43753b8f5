#!/usr/bin/env python3
"""Executes the course notebooks headless through the project's kernel.

Installs the kernelspec into a private prefix (the user's Jupyter setup is
left alone), runs each notebook in notebooks/ top to bottom with nbclient,
writes the executed notebook and an HTML export to the output folder, checks
what each notebook promises (its outputs must match PROMISES), and prints
the key results. Exits 1 when a notebook fails.

While it runs, a live line on stderr shows the notebook, the cell, the
elapsed time and a training cell's own progress with an estimated time left
(tools/notebook_progress.py); at the end a summary table lists each
notebook's status and time and where the outputs are.

Usage: run_notebooks.py [--out DIR] [--only NAME] [--size small|full]
Run with Debian's /usr/bin/python3 (python3-nbclient, python3-nbconvert).
"""
import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError

from notebook_progress import ProgressClient, clock

ROOT = Path(__file__).resolve().parent.parent

# What each notebook must show (a regex over its text and HTML outputs), and
# the lines worth repeating at the end of a run.
PROMISES = {
    "01_tensors_on_webgpu": [r"largest difference from the float64 loops", r"GFLOP/s"],
    "02_alexnet_architecture": [
        r"shape check passed: all 21 rows match",
        r"Flatten output shape: +\[1, 6400\]",
        r"AlexNet \(course\): 46,764,746 parameters",
        r"total 60,965,224",
        r"application/vnd\.plotly\.v1\+json",
    ],
    "03_data_augmentation": [r"Ankle boot", r"image/png"],
    "04_training_alexnet": [r"test acc", r"application/vnd\.plotly\.v1\+json", r"accuracy check passed"],
    "05_ablations": [r"application/vnd\.plotly\.v1\+json", r"epochs to 25% training error: ReLU", r"ablation runs finished"],
}
KEY_LINES = re.compile(
    r"^(shape check passed|AlexNet \(course\): |total 60,965,224|[0-9.]+ examples/sec on |"
    r"accuracy check passed|size knob: |ablation runs finished|loss [0-9.]+, train acc|small run: |full run: |"
    r"epochs to 25% training error)"
)


def printed_lines(nb) -> list:
    """The lines the notebook's cells printed (stream outputs only)."""
    lines = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                lines += out["text"].splitlines()
    return lines


def outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "text" in out:
                parts.append(out["text"])
            for mime, data in out.get("data", {}).items():
                parts.append(mime)
                if isinstance(data, str) and mime.startswith("text/"):
                    parts.append(data)
    return "\n".join(parts)


def install_kernel(prefix: Path) -> None:
    subprocess.run(
        ["deno", "run", "--allow-all", str(ROOT / "kernel/install.ts"), "--prefix", str(prefix)],
        check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
    )


def export_html(nb, path: Path) -> None:
    from nbconvert import HTMLExporter
    body, _ = HTMLExporter().from_notebook_node(nb)
    path.write_text(body, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "out"))
    parser.add_argument("--only", default="", help="comma-separated parts of notebook names")
    parser.add_argument("--size", choices=["small", "full"], default=os.environ.get("ALEXNET_SIZE"))
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    parser.add_argument("--progress-every", type=float, default=15.0,
                        help="seconds between progress lines when stderr is not a terminal")
    args = parser.parse_args()

    out = Path(args.out).resolve()
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    (out / "html").mkdir(parents=True, exist_ok=True)
    prefix = out / "jupyter"
    install_kernel(prefix)
    os.environ["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")
    if args.size:
        os.environ["ALEXNET_SIZE"] = args.size

    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if args.only:
        wanted = args.only.split(",")
        notebooks = [p for p in notebooks if any(w in p.stem for w in wanted)]
    failures, summary, table = [], [], []
    for number, path in enumerate(notebooks, 1):
        nb = nbformat.read(path, as_version=4)
        client = ProgressClient(
            nb, label=f"[{number}/{len(notebooks)}] {path.stem}", interval=args.progress_every,
            timeout=args.timeout, kernel_name="deno-webgpu",
            resources={"metadata": {"path": str(path.parent)}},
        )
        start = time.time()
        error = None
        try:
            client.execute()
        except CellExecutionError as e:
            error = str(e).strip().splitlines()[-1] if str(e).strip() else repr(e)
        except Exception as e:  # a dead kernel or a timeout: report, go on
            error = f"{type(e).__name__}: {e}"
        seconds = time.time() - start
        executed = out / "notebooks" / path.name
        nbformat.write(nb, executed)
        export_html(nb, out / "html" / (path.stem + ".html"))
        text = outputs_text(nb)
        missing = [p for p in PROMISES.get(path.stem, []) if not re.search(p, text)]
        status = "ok" if not error and not missing else "FAILED"
        print(f"{status:6} {path.name} in {seconds:.0f} s", flush=True)
        if error:
            print(f"       error: {error}")
        for promise in missing:
            print(f"       missing output: /{promise}/")
        if status != "ok":
            failures.append(path.name)
        table.append((status, path.stem, seconds))
        summary += [f"  {path.stem}: {line.strip()}" for line in printed_lines(nb) if KEY_LINES.match(line)]

    print("\nSummary:")
    for status, stem, seconds in table:
        print(f"  {status:6} {stem:28} {clock(seconds):>8}")
    print(f"  {'':6} {'total':28} {clock(sum(t[2] for t in table)):>8}")
    print(f"\nExecuted notebooks: {out / 'notebooks'}\nHTML exports:       {out / 'html'}")
    if summary:
        print("Key results:\n" + "\n".join(dict.fromkeys(summary)))
    if failures:
        print(f"{len(failures)} notebook(s) failed: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
