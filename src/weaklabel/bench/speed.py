"""``weaklabel bench speed``: training throughput against the machine's matrix-multiply peak.

Reference workload: 100,000 × 128 float32 inputs, MLP 512-512, 20 labels,
binary cross-entropy, AdamW. Measured in one run, on the same data:

- the machine's float32 matrix-multiply throughput (best of repeated
  2048 × 2048 products, GFLOP/s);
- weaklabel's training engine (index-tensor batching, one epoch);
- a plain PyTorch loop over a ``TensorDataset`` with ``DataLoader``.

Useful FLOPs of an epoch count the matrix products only: forward 2·Σ in·out,
weight gradients 2·Σ in·out, input gradients 2·Σ in·out for every layer but
the first, per sample. Fraction of peak = useful FLOP/s ÷ measured peak.
"""

from __future__ import annotations

import time
from typing import Any

import torch
from torch import nn

from ..nn import build_network
from ..report import Report, format_table
from ..training import Trainer, TrainingConfig
from . import register_suite

N_ROWS, N_IN, HIDDEN, N_LABELS = 100_000, 128, (512, 512), 20


def matmul_peak_gflops(size: int = 2048, repeats: int = 10) -> float:
    """Best float32 GFLOP/s of ``size × size`` matrix products on this machine."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.mm(a, b)  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def epoch_flops(n_rows: int, widths: list[int]) -> float:
    """Matrix-product FLOPs of one training epoch of an MLP with layer widths ``widths``."""
    pairs = list(zip(widths[:-1], widths[1:]))
    forward = sum(2 * i * o for i, o in pairs)
    input_grads = sum(2 * i * o for i, o in pairs[1:])
    return n_rows * (2 * forward + input_grads)


def _network() -> nn.Module:
    torch.manual_seed(0)
    spec = {
        "encoder": {"type": "mlp", "in_features": N_IN, "hidden_sizes": list(HIDDEN), "norm": None, "dropout": 0.0},
        "head": {"type": "linear", "out_features": N_LABELS},
    }
    return build_network(spec)


def _data(n_rows: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n_rows, N_IN, generator=g)
    Y = (torch.rand(n_rows, N_LABELS, generator=g) < 0.1).float()
    return X, Y


def engine_epoch_seconds(X: torch.Tensor, Y: torch.Tensor, batch_size: int) -> float:
    """Seconds of the second of two epochs through weaklabel's Trainer (the first warms up)."""
    net = _network()
    loss = nn.BCEWithLogitsLoss()
    config = TrainingConfig(max_epochs=1, batch_size=batch_size, weight_decay=0.0, device="cpu")
    trainer = Trainer(net, lambda b: loss(net(b["x"]), b["y"]), config)
    trainer.fit({"x": X, "y": Y})
    trainer.epoch, trainer.config.max_epochs = 0, 1
    start = time.perf_counter()
    trainer.fit({"x": X, "y": Y})
    return time.perf_counter() - start


def dataloader_epoch_seconds(X: torch.Tensor, Y: torch.Tensor, batch_size: int) -> float:
    """Seconds of the second of two epochs of the textbook DataLoader loop."""
    net = _network()
    loss = nn.BCEWithLogitsLoss()
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=0.0)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, Y), batch_size=batch_size, shuffle=True)
    seconds = 0.0
    for _ in range(2):
        start = time.perf_counter()
        for xb, yb in loader:
            opt.zero_grad()
            loss(net(xb), yb).backward()
            opt.step()
        seconds = time.perf_counter() - start
    return seconds


@register_suite("speed")
def speed_suite(quick: bool, verbose: int) -> Report:
    n_rows = 10_000 if quick else N_ROWS
    X, Y = _data(n_rows)
    peak = matmul_peak_gflops()
    flops = epoch_flops(n_rows, [N_IN, *HIDDEN, N_LABELS])
    rows: list[dict[str, Any]] = []
    for batch_size in (256, 1024):
        for name, fn in (("weaklabel engine", engine_epoch_seconds), ("plain DataLoader loop", dataloader_epoch_seconds)):
            seconds = fn(X, Y, batch_size)
            rows.append(
                {
                    "loop": name,
                    "batch": batch_size,
                    "epoch_s": seconds,
                    "samples_per_s": n_rows / seconds,
                    "GFLOP_per_s": flops / seconds / 1e9,
                    "fraction_of_peak": flops / seconds / 1e9 / peak,
                }
            )
    print(f"matmul peak: {peak:.1f} GFLOP/s (float32, {torch.get_num_threads()} threads)")
    print(format_table(rows))
    report = Report("Benchmark: speed")
    report.text(__doc__.split("\n\n", 1)[1])
    report.section("Reference workload").text(
        f"{n_rows:,} × {N_IN} inputs, MLP {'-'.join(map(str, HIDDEN))}, {N_LABELS} labels; "
        f"measured float32 matmul peak {peak:.1f} GFLOP/s with {torch.get_num_threads()} threads."
    ).table(rows)
    return report
