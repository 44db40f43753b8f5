#!/usr/bin/env python3
"""How far float32 training itself drifts over course_curve.py's `steps20`
(the course AlexNet's first 20 SGD steps, batch 4): the same run in PyTorch
with other summation orders (thread counts, oneDNN on or off) and in float64.
Prints the per-step losses and, per variant, the relative difference to the
float64 run and to tests/lib/fixtures/course_curve.json. Writes the curves
to out/references/curve_drift.json (with --json PATH elsewhere), which
tools/references/our_curve.ts reads to compare our losses with the float64
curve. Usage: python3 tools/references/curve_drift.py [--json PATH]
"""
import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fashion_mnist  # noqa: E402
from course_curve import OUT as FIXTURE, SEED, STEPS20, prepare  # noqa: E402
from course_model import alexnet  # noqa: E402
from seeded_init import seeded_init  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

# name: (dtype, threads, oneDNN enabled)
VARIANTS = {
    "f32 t2 mkldnn": (torch.float32, 2, True),
    "f32 t1 mkldnn": (torch.float32, 1, True),
    "f32 t2 no-mkldnn": (torch.float32, 2, False),
    "f32 t1 no-mkldnn": (torch.float32, 1, False),
    "f64 t2": (torch.float64, 2, True),
}
REFERENCE = "f64 t2"


def losses(dtype, threads, mkldnn, images, labels):
    """steps20's losses with this precision and summation order."""
    torch.set_num_threads(threads)
    torch.backends.mkldnn.enabled = mkldnn
    torch.manual_seed(0)
    model = seeded_init(alexnet(dropout=0.0), SEED).to(dtype)
    opt = torch.optim.SGD(model.parameters(), lr=STEPS20["lr"], momentum=STEPS20["momentum"])
    b = STEPS20["batchSize"]
    out = []
    for step in range(STEPS20["steps"]):
        x = prepare(images[step * b:(step + 1) * b]).to(dtype)
        loss = F.cross_entropy(model(x), labels[step * b:(step + 1) * b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        out.append(loss.item())
    return out


def main():
    path = Path(sys.argv[sys.argv.index("--json") + 1]) if "--json" in sys.argv else \
        ROOT / "out/references/curve_drift.json"
    images, labels = fashion_mnist.load(train=True)
    curves = {name: losses(*v, images, labels) for name, v in VARIANTS.items()}
    fixture = [s["loss"] for s in json.loads(FIXTURE.read_text())["steps20"]["steps"]]
    ref = curves[REFERENCE]
    print(f"torch {torch.__version__}; relative loss difference per step, vs {REFERENCE} and vs the fixture")
    names = [n for n in curves if n != REFERENCE]
    print("step  " + "  ".join(f"{n:>16}" for n in names) + "  fixture-vs-f64")
    for k in range(len(ref)):
        rel = [abs(curves[n][k] - ref[k]) / abs(ref[k]) for n in names]
        print(f"{k + 1:4d}  " + "  ".join(f"{r:16.2e}" for r in rel) +
              f"  {abs(fixture[k] - ref[k]) / abs(ref[k]):14.2e}")
    print("step  " + "  ".join(f"{n:>16}" for n in names) + "  (vs fixture)")
    for k in range(len(ref)):
        rel = [abs(curves[n][k] - fixture[k]) / abs(fixture[k]) for n in names]
        print(f"{k + 1:4d}  " + "  ".join(f"{r:16.2e}" for r in rel))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"source": f"torch {torch.__version__}", "curves": curves}) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
