#!/usr/bin/env python3
"""PyTorch's side of the course AlexNet's learning curve, in two settings
(both start from seededInit's weights, seed 2012, which this library makes
bit for bit the same):

- `steps20`: the first 20 SGD steps of batch 4 on the first 80 training
  images in file order, dropout off, no augmentation. Per step: the loss,
  mean and root mean square of every layer's output, and every parameter's
  gradient norm. tests/lib/train/pytorch_curve_test.ts replays it.
- `notebook`: notebook 04's small run (1,280 images, 2 epochs of batch 16,
  SGD lr 0.02 momentum 0.9, dropout 0.5), with the data order and mirror
  draws of our DataLoader (read from the file tools/references/course_draws.ts
  writes). Dropout masks cannot be shared, so this curve agrees with the
  notebook's statistically, not step for step. Per step: loss and correct
  count; per epoch: accuracy on the first 320 test images.

Writes tests/lib/fixtures/course_curve.json. Run through tools/make_references.sh.
"""
import json
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fashion_mnist  # noqa: E402
from course_model import alexnet  # noqa: E402
from seeded_init import seeded_init  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests/lib/fixtures/course_curve.json"
SEED = 2012

STEPS20 = {"model": "course alexnet", "init": f"seededInit {SEED}", "images": "first 80 training images, file order",
           "resize": 224, "batchSize": 4, "steps": 20, "lr": 0.02, "momentum": 0.9, "dropout": 0, "augmentation": "none"}
NOTEBOOK = {"model": "course alexnet", "init": f"seededInit {SEED}", "trainImages": 1280, "testImages": 320,
            "resize": 224, "batchSize": 16, "epochs": 2, "lr": 0.02, "momentum": 0.9, "dropout": 0.5,
            "augmentation": "mirror, draws of DataLoader seed 0", "loaderSeed": 0}


def prepare(images):
    """uint8 [N, 28, 28] -> float [N, 1, 224, 224], as ToTensor then Resize(224)."""
    x = images.float().div(255).unsqueeze(1)
    return F.interpolate(x, size=(224, 224), mode="bilinear", align_corners=False)


def steps20(train_images, train_labels):
    torch.manual_seed(0)
    model = seeded_init(alexnet(dropout=0.0), SEED)
    opt = torch.optim.SGD(model.parameters(), lr=STEPS20["lr"], momentum=STEPS20["momentum"])
    stats = []
    hooks = [m.register_forward_hook(lambda m, i, o, k=k: stats.append(
        [o.double().mean().item(), o.double().pow(2).mean().sqrt().item()])) for k, m in enumerate(model)]
    b = STEPS20["batchSize"]
    record = []
    for step in range(STEPS20["steps"]):
        x = prepare(train_images[step * b:(step + 1) * b])
        y = train_labels[step * b:(step + 1) * b]
        stats.clear()
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        record.append({
            "loss": loss.item(),
            "layers": [list(s) for s in stats],
            "gradNorms": {n: p.grad.double().norm().item() for n, p in model.named_parameters()},
        })
        opt.step()
        print(f"steps20 step {step + 1}: loss {loss.item():.6f}", flush=True)
    for h in hooks:
        h.remove()
    return record


def notebook(train_images, train_labels, test_images, test_labels, draws):
    torch.manual_seed(0)
    model = seeded_init(alexnet(dropout=NOTEBOOK["dropout"]), SEED)
    opt = torch.optim.SGD(model.parameters(), lr=NOTEBOOK["lr"], momentum=NOTEBOOK["momentum"])
    test_x = prepare(test_images[:NOTEBOOK["testImages"]])
    test_y = test_labels[:NOTEBOOK["testImages"]]
    steps, epochs = [], []
    b = NOTEBOOK["batchSize"]
    for epoch, (order, flips) in enumerate(zip(draws["orders"], draws["flips"])):
        model.train()
        for start in range(0, len(order), b):
            idx = torch.tensor(order[start:start + b])
            x = prepare(train_images[idx])
            flip = torch.tensor(flips[start:start + b], dtype=torch.bool)
            x[flip] = x[flip].flip(-1)
            y = train_labels[idx]
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps.append({"loss": loss.item(), "correct": int((logits.argmax(1) == y).sum())})
            if len(steps) % 10 == 0:
                print(f"notebook step {len(steps)}: loss {loss.item():.4f}", flush=True)
        model.eval()
        with torch.no_grad():
            correct = sum(int((model(test_x[i:i + 16]).argmax(1) == test_y[i:i + 16]).sum())
                          for i in range(0, len(test_y), 16))
        epochs.append({"epoch": epoch + 1, "testAccuracy": correct / len(test_y)})
        print(f"notebook epoch {epoch + 1}: test accuracy {epochs[-1]['testAccuracy']:.3f}", flush=True)
    return steps, epochs


def main():
    torch.set_num_threads(2)
    draws_path = Path(sys.argv[1])
    draws = json.loads(draws_path.read_text())
    if draws["setting"] != {k: NOTEBOOK[k] for k in draws["setting"]}:
        raise SystemExit(f"{draws_path} is from another setting: {draws['setting']}")
    train_images, train_labels = fashion_mnist.load(train=True)
    test_images, test_labels = fashion_mnist.load(train=False)
    start = time.time()
    result = {"source": f"torch {torch.__version__}, tools/references/course_curve.py"}
    result["steps20"] = {"setting": STEPS20, "steps": steps20(train_images, train_labels)}
    write(result)  # the test's part is ready before the longer run
    steps, epochs = notebook(train_images, train_labels, test_images, test_labels, draws)
    result["notebook"] = {"setting": NOTEBOOK, "steps": steps, "epochs": epochs}
    write(result)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes) in {time.time() - start:.0f} s")


def write(result):
    OUT.write_text(json.dumps(result, separators=(",", ":")) + "\n")

if __name__ == "__main__":
    main()
