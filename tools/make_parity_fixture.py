#!/usr/bin/env python3
"""Writes tests/lib/fixtures/parity.safetensors: PyTorch's numbers for a small
network made of the course's layer types (Conv2d with stride, padding and
groups, ReLU, LocalResponseNorm, overlapping MaxPool2d, Flatten, Linear,
Dropout in eval mode, cross entropy), so tests/lib/parity_test.ts can check
this library against PyTorch without importing it.

Run by hand with Debian's PyTorch (apt-get install python3-torch):
    /usr/bin/python3 tools/make_parity_fixture.py

The file holds, in safetensors layout (written here by hand: Debian's
PyTorch 1.13 has no safetensors package): the state dict under its own
names, `input` [4, 1, 99, 99], `target` (class indices as float32),
`logits`, `loss`, and `grad.<name>` for every parameter.
"""
import json
import struct
from pathlib import Path

import torch
from torch import nn

torch.manual_seed(2012)
model = nn.Sequential(
    nn.Conv2d(1, 8, 11, stride=4, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(3, stride=2),
    nn.Conv2d(8, 16, 5, padding=2, groups=2),
    nn.ReLU(),
    nn.LocalResponseNorm(5, alpha=1e-2, beta=0.75, k=2.0),
    nn.MaxPool2d(3, stride=2),
    nn.Conv2d(16, 24, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(3, stride=2),
    nn.Flatten(),
    nn.Linear(24 * 2 * 2, 32),
    nn.ReLU(),
    nn.Dropout(0.5),
    nn.Linear(32, 10),
)
model.eval()  # dropout off: the two libraries draw different masks
x = torch.randn(4, 1, 99, 99) * 2
target = torch.tensor([3, 0, 9, 5])
logits = model(x)
loss = nn.functional.cross_entropy(logits, target)
loss.backward()

tensors = {name: p.detach() for name, p in model.state_dict().items()}
tensors.update({f"grad.{name}": p.grad for name, p in model.named_parameters()})
tensors.update({"input": x, "target": target.float(), "logits": logits.detach(), "loss": loss.detach().reshape([])})

header, blobs, offset = {}, [], 0
for name in sorted(tensors):
    data = tensors[name].contiguous().float().numpy().astype("<f4").tobytes()
    header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
header["__metadata__"] = {"source": f"torch {torch.__version__}", "script": "tools/make_parity_fixture.py"}
text = json.dumps(header, separators=(",", ":"))
text += " " * ((8 - len(text) % 8) % 8)
out = Path(__file__).resolve().parent.parent / "tests/lib/fixtures/parity.safetensors"
out.parent.mkdir(parents=True, exist_ok=True)
out.write_bytes(struct.pack("<Q", len(text)) + text.encode() + b"".join(blobs))
print(f"wrote {out} ({out.stat().st_size} bytes), loss {loss.item():.6f}")
