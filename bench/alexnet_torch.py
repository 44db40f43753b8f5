"""The course AlexNet's training step in PyTorch on the CPU, as a yardstick
for bench/alexnet_step.ts: same network, 1x224x224 input, cross entropy,
SGD (lr 0.01). Prints one JSON line: {"batch": B, "ms": median ms per
step, "cpu_ms": median CPU ms per step (process time, all threads)}.

Usage: python3 bench/alexnet_torch.py BATCH STEPS [THREADS]
Needs Debian's python3-torch with libopenblas0-pthread
(bash bench/setup_torch.sh installs both; never part of the tests).
"""
import json
import sys
import time

import torch
from torch import nn

batch, steps = int(sys.argv[1]), int(sys.argv[2])
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)
net = nn.Sequential(
    nn.Conv2d(1, 96, 11, stride=4, padding=1), nn.ReLU(),
    nn.MaxPool2d(3, stride=2),
    nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(),
    nn.MaxPool2d(3, stride=2),
    nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
    nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(),
    nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
    nn.MaxPool2d(3, stride=2),
    nn.Flatten(),
    nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(0.5),
    nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
    nn.Linear(4096, 10),
)
opt = torch.optim.SGD(net.parameters(), lr=0.01)
x = torch.randn(batch, 1, 224, 224)
y = torch.arange(batch) % 10


def step():
    loss = nn.functional.cross_entropy(net(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


step()  # warm-up
times = []
cpu = []
for _ in range(steps):
    start = time.perf_counter()
    cpu_start = time.process_time()
    step()
    times.append((time.perf_counter() - start) * 1000)
    cpu.append((time.process_time() - cpu_start) * 1000)
times.sort()
cpu.sort()
print(json.dumps({"batch": batch, "ms": times[len(times) // 2],
                  "cpu_ms": cpu[len(cpu) // 2],
                  "threads": threads, "torch": torch.__version__}))
