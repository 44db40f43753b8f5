"""The seeded initialisation of lib/train/seeded_init.ts, in numpy: the same
float32 values for the same seed, so PyTorch and this library start from
identical weights without a weights file."""
import math

import numpy as np
import torch

GOLDEN = np.uint32(0x9E3779B9)


def mix32(z):
    """The murmur3 finaliser over uint32 arrays (wrapping multiplies)."""
    z = np.asarray(z, dtype=np.uint32)
    z = (z ^ (z >> np.uint32(16))) * np.uint32(0x85EBCA6B)
    z = (z ^ (z >> np.uint32(13))) * np.uint32(0xC2B2AE35)
    return z ^ (z >> np.uint32(16))


def hash_uniform(seed, key, count, bound):
    with np.errstate(over="ignore"):
        stream = mix32(np.uint32(seed) + np.uint32(key + 1) * GOLDEN)
        h = mix32(np.arange(count, dtype=np.uint32) * GOLDEN + stream)
    u = (h >> np.uint32(8)).astype(np.float64) / 16777216.0
    return ((2 * u - 1) * bound).astype(np.float32)


def seeded_init(model, seed):
    """Xavier-uniform weights and fan-in uniform biases, as seededInit()."""
    fan_in = 0
    with torch.no_grad():
        for key, (name, p) in enumerate(model.named_parameters()):
            if name.endswith("weight") and p.dim() >= 2:
                receptive = math.prod(p.shape[2:])
                fan_in = p.shape[1] * receptive
                bound = math.sqrt(6 / (fan_in + p.shape[0] * receptive))
            elif name.endswith("bias") and fan_in > 0:
                bound = 1 / math.sqrt(fan_in)
            else:
                raise TypeError(f"cannot seed-initialise {name}")
            p.copy_(torch.from_numpy(hash_uniform(seed, key, p.numel(), bound)).reshape(p.shape))
    return model
