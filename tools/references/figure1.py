#!/usr/bin/env python3
"""PyTorch's side of notebook 05: the paper's Figure 1 (ReLU against tanh in a
four-layer convolutional network, no regularisation, plain SGD, each
network's learning rate chosen to train fastest) on Fashion-MNIST, and the
dropout/augmentation ablations of the same notebook.

Figure 1 setting (notebook 05's small setting, which this library also runs):
the first 1,000 training images of Fashion-MNIST (28x28, one channel) in file
order every epoch (no shuffling, so both libraries see the same batches),
batch 20, 10 epochs, seededInit's Xavier-uniform weights (seed 7), plain SGD
(no momentum, no weight decay). The network has the layout of cuda-convnet's
CIFAR-10 net that the paper's Figure 1 used, at half its width (so that the
runs fit a CPU): three 5x5 convolutions (16, 16, 32 maps) each followed by
3x3/2 max pooling, then a linear layer.

For each activation the learning rate is swept over LRS, and the one that
reaches 25% training error (the running error over an epoch, as train()
reports it) in the fewest epochs wins (ties: the lower final error). Then
the same sweep under changes that could move the outcome: the paper's
N(0, 0.01^2) initialisation, He's (Kaiming) uniform initialisation, made for
ReLUs, for both networks, and a deeper network (three more 3x3
convolutions).

Writes tests/lib/fixtures/figure1.json. Run through tools/make_references.sh.
"""
import json
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fashion_mnist  # noqa: E402
from seeded_init import seeded_init  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests/lib/fixtures/figure1.json"
LRS = [0.05, 0.1, 0.2, 0.4]
FIGURE1 = {"images": "first 1000 training images, file order, no shuffle", "batchSize": 20, "epochs": 10,
           "init": "seededInit 7", "optimizer": "plain SGD", "target": 0.25, "lrs": LRS,
           "network": "conv5x5(16)-pool-conv5x5(16)-pool-conv5x5(32)-pool-linear(10)"}
ABLATION = {"trainImages": 500, "testImages": 500, "epochs": 20, "batchSize": 50, "lr": 0.05, "momentum": 0.9,
            "network": "smallAlexNet of notebook 05"}


def four_layer(act, deeper=False):
    a = nn.ReLU if act == "relu" else nn.Tanh
    extra = [m for _ in range(3) for m in (nn.Conv2d(16, 16, 3, padding=1), a())] if deeper else []
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), a(), nn.MaxPool2d(3, stride=2),  # 28 -> 13
        *extra,
        nn.Conv2d(16, 16, 5, padding=2), a(), nn.MaxPool2d(3, stride=2),  # 13 -> 6
        nn.Conv2d(16, 32, 5, padding=2), a(), nn.MaxPool2d(3, stride=2),  # 6 -> 2
        nn.Flatten(), nn.Linear(32 * 2 * 2, 10),
    )


def paper_init(model):
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.normal_(0, 0.01) if name.endswith("weight") else p.zero_()
    return model


def he_init(model):
    with torch.no_grad():
        for name, p in model.named_parameters():
            nn.init.kaiming_uniform_(p, nonlinearity="relu") if name.endswith("weight") else p.zero_()
    return model


def train_error_curve(model, x, y, lr, epochs, batch):
    """Running training error of each epoch, plain SGD over batches in file order."""
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    curve = []
    for _ in range(epochs):
        wrong = 0
        for i in range(0, len(y), batch):
            logits = model(x[i:i + batch])
            loss = F.cross_entropy(logits, y[i:i + batch])
            if not torch.isfinite(loss):
                return curve + [1.0] * (epochs - len(curve))  # diverged
            opt.zero_grad()
            loss.backward()
            opt.step()
            wrong += int((logits.argmax(1) != y[i:i + batch]).sum())
        curve.append(wrong / len(y))
    return curve


def epochs_to(curve, target):
    return next((i + 1 for i, e in enumerate(curve) if e <= target), None)


def sweep(x, y, variant):
    result = {}
    for act in ("relu", "tanh"):
        runs = []
        for lr in LRS:
            torch.manual_seed(0)
            model = four_layer(act, deeper=variant == "deeper")
            model = {"paper init": paper_init, "he init": he_init}.get(variant, lambda m: seeded_init(m, 7))(model)
            curve = train_error_curve(model, x, y, lr, FIGURE1["epochs"], FIGURE1["batchSize"])
            runs.append({"lr": lr, "curve": curve, "epochsTo25": epochs_to(curve, FIGURE1["target"])})
            print(f"{variant:10} {act} lr {lr}: epochs to 25% {runs[-1]['epochsTo25']}, final {curve[-1]:.3f}", flush=True)
        best = min(runs, key=lambda r: (r["epochsTo25"] or 99, r["curve"][-1]))
        result[act] = {"best": best, "runs": runs}
    return result


class SmallAlexNet(nn.Sequential):
    def __init__(self, act, dropout):
        a = nn.ReLU if act == "relu" else nn.Tanh
        super().__init__(
            nn.Conv2d(1, 16, 5, padding=2), a(), nn.MaxPool2d(3, stride=2),
            nn.Conv2d(16, 32, 3, padding=1), a(), nn.MaxPool2d(3, stride=2),
            nn.Flatten(), nn.Linear(32 * 6 * 6, 256), a(), nn.Dropout(dropout), nn.Linear(256, 10))


def augment(x, g):
    """RandomCrop(28, padding 2) and a mirror per image, as notebook 05's transforms."""
    padded = F.pad(x, (2, 2, 2, 2))
    out = torch.empty_like(x)
    for k in range(len(x)):
        top, left = torch.randint(0, 5, (2,), generator=g).tolist()
        img = padded[k, :, top:top + 28, left:left + 28]
        out[k] = img.flip(-1) if torch.rand(1, generator=g).item() < 0.5 else img
    return out


def ablations(x, y, test_x, test_y):
    s = ABLATION
    variants = [("ReLU", "relu", 0, False), ("ReLU + dropout", "relu", 0.5, False),
                ("ReLU + augmentation", "relu", 0, True), ("ReLU + dropout + aug", "relu", 0.5, True),
                ("tanh", "tanh", 0, False)]
    rows = []
    for name, act, dropout, aug in variants:
        torch.manual_seed(0)
        g = torch.Generator().manual_seed(0)
        model = SmallAlexNet(act, dropout)
        opt = torch.optim.SGD(model.parameters(), lr=s["lr"], momentum=s["momentum"])
        for _ in range(s["epochs"]):
            model.train()
            order = torch.randperm(len(y), generator=g)
            right = 0
            for i in range(0, len(y), s["batchSize"]):
                idx = order[i:i + s["batchSize"]]
                xb = augment(x[idx], g) if aug else x[idx]
                logits = model(xb)
                loss = F.cross_entropy(logits, y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                right += int((logits.argmax(1) == y[idx]).sum())
        model.eval()
        with torch.no_grad():
            test = float((model(test_x).argmax(1) == test_y).float().mean())
        rows.append({"name": name, "trainAccuracy": right / len(y), "testAccuracy": test})
        print(f"ablation {name:22} train acc {rows[-1]['trainAccuracy']:.3f} test acc {test:.3f}", flush=True)
    return rows


def main():
    torch.set_num_threads(1)  # the machine is shared: more threads only contend
    start = time.time()
    images, labels = fashion_mnist.load(train=True)
    test_images, test_labels = fashion_mnist.load(train=False)
    to_float = lambda t: t.float().div(255).unsqueeze(1)  # noqa: E731
    x, y = to_float(images[:1000]), labels[:1000]
    figure1 = {v: sweep(x, y, v) for v in ("base", "paper init", "he init", "deeper")}
    a = ABLATION
    rows = ablations(to_float(images[:a["trainImages"]]), labels[:a["trainImages"]],
                     to_float(test_images[:a["testImages"]]), test_labels[:a["testImages"]])
    OUT.write_text(json.dumps({
        "source": f"torch {torch.__version__}, tools/references/figure1.py",
        "figure1": {"setting": FIGURE1, "variants": figure1},
        "ablations": {"setting": ABLATION, "rows": rows},
    }, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes) in {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
