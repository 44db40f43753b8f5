"""Fashion-MNIST's IDX files as uint8 tensors, from the folders lib/data looks in."""
import gzip
import os
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]


def _find(name):
    dirs = [os.environ.get("FASHION_MNIST_DIR"), "/usr/share/datasets/fashion-mnist", ROOT.parent / "shared/data/fashion-mnist"]
    for d in filter(None, dirs):
        for candidate in (Path(d) / f"{name}.gz", Path(d) / name):
            if candidate.exists():
                return candidate
    raise FileNotFoundError(f"{name}: install dataset-fashion-mnist (apt-get) or set FASHION_MNIST_DIR")


def _read(name):
    path = _find(name)
    raw = path.read_bytes()
    raw = gzip.decompress(raw) if path.suffix == ".gz" else raw
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return torch.from_numpy(np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape).copy())


def load(train=True):
    """(images [N, 28, 28] uint8, labels [N] int64)."""
    prefix = "train" if train else "t10k"
    return _read(f"{prefix}-images-idx3-ubyte"), _read(f"{prefix}-labels-idx1-ubyte").long()
