"""``weaklabel bench speed``: training throughput, scaling, distributed training and neighbour search.

(a) Reference workload: 100,000 × 128 float32 inputs, MLP 512-512, 20 labels,
binary cross-entropy, AdamW. Measured in one run, on the same data:

- the machine's float32 matrix-multiply throughput (best of repeated
  2048 × 2048 products, GFLOP/s);
- weaklabel's training engine (one epoch after a short warm-up on a slice
  of the data), with its default fused AdamW, with ``foreach`` AdamW, and
  with the network wrapped in ``torch.compile`` (compile time reported apart);
- a plain PyTorch loop over a ``TensorDataset`` with ``DataLoader``.

Useful FLOPs of an epoch count the matrix products only: forward 2·Σ in·out,
weight gradients 2·Σ in·out, input gradients 2·Σ in·out for every layer but
the first, per sample. The matmul peak is measured before the first and
after every variant; fraction of peak = useful FLOP/s ÷ the *highest* of
those readings (on a shared VM the peak drifts: dividing by the highest
reading never flatters a variant timed in a slow spell).

(b) Scaling: one epoch of an MLP with one hidden layer of 64 (batch 4,096)
in a fresh process per point, against rows (in memory up to 10⁶, the 10⁷
point streamed from a 5 GB memory-mapped ``.npy``), labels and input
dimensions; seconds of the epoch (after a two-batch warm-up) and the
process's peak resident memory (``VmHWM``, which includes the data held in
memory and the ~0.5 GB of Python + PyTorch).

(c) ``torchrun --standalone --nproc_per_node=2 -m weaklabel fit`` against one
process on the same data and global batch size: wall time and test macro mAP.

(d) Neighbour search at 1,000,000 × 64 (100 Gaussian blobs): the index chosen
by size, its build and search time for every row's 10 neighbours, and its
recall@10 against the exact search on 10,000 query rows.

(e) Fold-parallel refinement: ``SinglePositiveClassifier`` with its default
settings but one refinement round (10 fold networks) on multi-digits (6,000
training canvases, one positive kept per item, 2,000 fully labelled test
canvases): the fit in one process with every torch thread and with one,
against ``n_jobs`` worker processes (their start included); wall time and test
macro mAP.

(f) Beside busy processes (issue 21): ``weaklabel demo`` and the fit of (e),
each in a fresh process, alone and beside two processes spinning on a core
each; wall and CPU seconds. The thread count a fit chooses
(:mod:`weaklabel.runtime.threads`) and OpenMP's passive wait are what this
measures.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..data.sources import MemmapSource
from ..nn import build_network
from ..plots.speed import scaling_curves
from ..report import Report, format_table
from ..training import Trainer, TrainingConfig
from . import register_suite

N_ROWS, N_IN, HIDDEN, N_LABELS = 100_000, 128, (512, 512), 20
SCALING_HIDDEN, SCALING_BATCH = (64,), 4096
#: where the 10⁷-row file is generated (and reused); never inside the repository
BIG_DIR = Path(os.environ.get("WEAKLABEL_BENCH_DIR", Path(tempfile.gettempdir()) / "weaklabel-bench"))


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


def _network(n_in: int = N_IN, hidden: tuple[int, ...] = HIDDEN, n_labels: int = N_LABELS) -> nn.Module:
    spec = {
        "encoder": {"type": "mlp", "in_features": n_in, "hidden_sizes": list(hidden), "norm": None, "dropout": 0.0},
        "head": {"type": "linear", "out_features": n_labels},
    }
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return build_network(spec)


def _data(n_rows: int, n_in: int = N_IN, n_labels: int = N_LABELS) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n_rows, n_in, generator=g)
    Y = (torch.rand(n_rows, n_labels, generator=g) < 0.1).float()
    return X, Y


# --------------------------------------------------------------------------- (a) reference workload


def engine_epoch_seconds(X: torch.Tensor, Y: torch.Tensor, batch_size: int, optimizer: str = "fused", compile: bool = False) -> tuple[float, float]:
    """``(epoch seconds, warm-up seconds)`` of weaklabel's Trainer.

    The warm-up trains on ``2·batch + n mod batch`` rows, so it meets both
    batch shapes of the timed epoch (and, with ``compile``, compiles both).
    """
    net = _network()
    step_net = torch.compile(net, dynamic=False) if compile else net
    loss = nn.BCEWithLogitsLoss()
    config = TrainingConfig(max_epochs=1, batch_size=batch_size, weight_decay=0.0, patience=None, device="cpu")
    trainer = Trainer(net, lambda b: loss(step_net(b["x"]), b["y"]), config)
    if optimizer == "foreach":
        trainer.optimizer = torch.optim.AdamW(net.parameters(), lr=config.learning_rate, weight_decay=0.0, foreach=True)
    warm = 2 * batch_size + len(X) % batch_size
    start = time.perf_counter()
    trainer.fit({"x": X[:warm], "y": Y[:warm]})
    warm_seconds = time.perf_counter() - start
    trainer.epoch = 0
    start = time.perf_counter()
    trainer.fit({"x": X, "y": Y})
    return time.perf_counter() - start, warm_seconds


def dataloader_epoch_seconds(X: torch.Tensor, Y: torch.Tensor, batch_size: int) -> float:
    """Seconds of one epoch of the textbook DataLoader loop (after a warm-up over a few batches)."""
    net = _network()
    loss = nn.BCEWithLogitsLoss()
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=0.0)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, Y), batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(0))

    def run(max_batches: int) -> None:
        for i, (xb, yb) in enumerate(loader):
            if i == max_batches:
                return
            opt.zero_grad()
            loss(net(xb), yb).backward()
            opt.step()

    run(3)
    start = time.perf_counter()
    run(-1)
    return time.perf_counter() - start


def reference_rows(n_rows: int) -> tuple[list[dict[str, Any]], list[float]]:
    """Table rows of part (a) and the matmul peak readings (GFLOP/s) taken before and after every variant."""
    X, Y = _data(n_rows)
    flops = epoch_flops(n_rows, [N_IN, *HIDDEN, N_LABELS])
    variants = [
        ("weaklabel engine (fused AdamW)", 256, lambda: engine_epoch_seconds(X, Y, 256)),
        ("plain DataLoader loop", 256, lambda: (dataloader_epoch_seconds(X, Y, 256), 0.0)),
        ("weaklabel engine (fused AdamW)", 1024, lambda: engine_epoch_seconds(X, Y, 1024)),
        ("weaklabel engine (foreach AdamW)", 1024, lambda: engine_epoch_seconds(X, Y, 1024, optimizer="foreach")),
        ("weaklabel engine + torch.compile", 1024, lambda: engine_epoch_seconds(X, Y, 1024, compile=True)),
        ("plain DataLoader loop", 1024, lambda: (dataloader_epoch_seconds(X, Y, 1024), 0.0)),
    ]
    rows = []
    peaks = [matmul_peak_gflops()]
    for name, batch, fn in variants:
        try:
            seconds, warm = fn()
        except Exception as exc:  # torch.compile needs a working C++ toolchain; report, do not abort the suite
            rows.append({"loop": name, "batch": batch, "epoch_s": float("nan"), "note": f"failed: {type(exc).__name__}"})
            continue
        finally:
            peaks.append(matmul_peak_gflops())
        rows.append(
            {
                "loop": name,
                "batch": batch,
                "epoch_s": seconds,
                "warmup_s": warm,
                "samples_per_s": n_rows / seconds,
                "GFLOP_per_s": flops / seconds / 1e9,
                "peak_after": peaks[-1],
            }
        )
    for row in rows:
        if "GFLOP_per_s" in row:
            row["fraction_of_peak"] = row["GFLOP_per_s"] / max(peaks)
    return rows, peaks


# --------------------------------------------------------------------------- (b) scaling


def _write_npy(path: Path, shape: tuple[int, int], dtype: str, fill: Any, chunk: int = 1 << 20) -> None:
    """Write a ``.npy`` of ``shape`` chunk by chunk (``fill(rng, rows)`` makes each chunk) without holding it."""
    if path.exists() and np.load(path, mmap_mode="r").shape == shape:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        np.lib.format.write_array_header_1_0(fh, {"descr": np.dtype(dtype).str, "fortran_order": False, "shape": shape})
        for start in range(0, shape[0], chunk):
            fh.write(np.ascontiguousarray(fill(rng, min(chunk, shape[0] - start)), dtype=dtype).tobytes())
    tmp.replace(path)


def big_files(n_rows: int, n_in: int = N_IN, n_labels: int = N_LABELS) -> tuple[Path, Path]:
    """``X`` (float32, standard normal) and ``Y`` (uint8, 10% positives) of ``n_rows`` rows under :data:`BIG_DIR`."""
    x, y = BIG_DIR / f"X_{n_rows}x{n_in}.npy", BIG_DIR / f"Y_{n_rows}x{n_labels}.npy"
    _write_npy(x, (n_rows, n_in), "float32", lambda rng, m: rng.standard_normal((m, n_in), dtype=np.float32))
    _write_npy(y, (n_rows, n_labels), "uint8", lambda rng, m: rng.random((m, n_labels)) < 0.1)
    return x, y


def peak_rss_mb() -> float:
    """This process's peak resident memory (``VmHWM``; unlike ``ru_maxrss`` it is not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scaling_point(n_rows: int, n_labels: int, n_in: int, files: tuple[str, str] | None, threads: int) -> dict[str, Any]:
    """One epoch in this (fresh) process, after a two-batch warm-up: seconds and peak resident memory (MB)."""
    torch.set_num_threads(threads)
    config = TrainingConfig(max_epochs=1, batch_size=SCALING_BATCH, weight_decay=0.0, patience=None, device="cpu")
    loss = nn.BCEWithLogitsLoss()
    warm_net = _network(n_in, SCALING_HIDDEN, n_labels)
    Trainer(warm_net, lambda b: loss(warm_net(b["x"]), b["y"]), config).fit(dict(zip("xy", _data(2 * SCALING_BATCH, n_in, n_labels))))
    if files is None:
        X, Y = _data(n_rows, n_in, n_labels)
        data: Any = {"x": X, "y": Y}
    else:
        data = MemmapSource({"x": files[0], "y": files[1]}, transform=lambda a: {"x": a["x"], "y": a["y"].astype(np.float32)})
    net = _network(n_in, SCALING_HIDDEN, n_labels)
    start = time.perf_counter()
    Trainer(net, lambda b: loss(net(b["x"]), b["y"]), config).fit(data)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": peak_rss_mb()}


def scaling_rows(quick: bool) -> list[dict[str, Any]]:
    """Table rows of part (b), each measured in a fresh process."""
    threads = torch.get_num_threads()
    rows_axis = [10_000, 30_000] if quick else [10_000, 100_000, 1_000_000]
    big = 200_000 if quick else 10_000_000
    plan: list[tuple[str, int, int, int, bool]] = [("rows", n, N_LABELS, N_IN, False) for n in rows_axis]
    plan.append(("rows", big, N_LABELS, N_IN, True))
    plan += [("labels", 20_000, k, N_IN, False) for k in ([10, 100] if quick else [10, 100, 1_000, 10_000])]
    plan += [("input dims", 20_000, N_LABELS, d, False) for d in ([16, 64] if quick else [16, 64, 256, 1_024])]
    out = []
    ctx = get_context("spawn")
    for axis, n, k, d, stream in plan:
        files = tuple(str(p) for p in big_files(n, d, k)) if stream else None
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            result = pool.submit(scaling_point, n, k, d, files, threads).result()
        value = {"rows": n, "labels": k, "input dims": d}[axis]
        out.append({"axis": axis, "value": value, "rows": n, "labels": k, "input_dims": d,
                    "source": "memmap .npy (streamed)" if stream else "in memory", **result})
    return out


# --------------------------------------------------------------------------- (c) distributed


def _teacher_data(n: int, d: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    W = rng.normal(size=(d, k)) / np.sqrt(d)
    X = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    logits = np.tanh(X @ W) * 3 + 0.5 * np.random.default_rng(seed + 1).normal(size=(n, k)) - 1.5
    return X, (logits > 0).astype(np.int64)


def distributed_rows(quick: bool) -> list[dict[str, Any]]:
    """Table rows of part (c): one process against ``torchrun`` with 2 processes, same data and global batch."""
    from .. import estimators  # noqa: F401  (registers the classes load rebuilds)
    from ..metrics import mean_average_precision
    from ..persistence import load

    n = 4_000 if quick else 40_000
    X, Y = _teacher_data(n, 64, N_LABELS, seed=0)
    Xt, Yt = _teacher_data(n // 4, 64, N_LABELS, seed=7)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        np.savez(Path(tmp) / "train.npz", X=X, Y=Y)
        fit = ["-m", "weaklabel", "fit", str(Path(tmp) / "train.npz"), "--epochs", "3" if quick else "8",
               "--hidden-sizes", "256,256", "--batch-size", "512", "--param", "norm=null", "--param", "dropout=0.0",
               "--device", "cpu", "--seed", "0", "-q"]
        runs = [
            ("1 process", [sys.executable], "2"),
            ("torchrun, 2 processes", [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"], "1"),
        ]
        for name, launcher, threads in runs:
            out = Path(tmp) / name.replace(" ", "_").replace(",", "")
            start = time.perf_counter()
            subprocess.run([*launcher, *fit, "--out", str(out)], check=True, capture_output=True,
                           env={**os.environ, "OMP_NUM_THREADS": threads})
            seconds = time.perf_counter() - start
            proba = load(str(out)).predict_proba(Xt)
            rows.append({"run": name, "threads_per_process": int(threads), "wall_s": seconds,
                         "test_macro_mAP": float(mean_average_precision(Yt, proba))})
    ref = rows[0]["test_macro_mAP"]
    for r in rows:
        r["relative_to_1_process"] = r["test_macro_mAP"] / ref - 1.0
    return rows


# --------------------------------------------------------------------------- (d) neighbour search


def neighbour_rows(quick: bool) -> list[dict[str, Any]]:
    """Table rows of part (d)."""
    from ..data.neighbors import NeighborIndex, recall_at_k

    n, d = (60_000, 64) if quick else (1_000_000, 64)
    rng = np.random.default_rng(0)
    centres = rng.uniform(-10, 10, size=(100, d))
    X = (centres[rng.integers(0, 100, n)] + rng.standard_normal((n, d))).astype(np.float32)
    start = time.perf_counter()
    index = NeighborIndex().fit(X)
    build = time.perf_counter() - start
    start = time.perf_counter()
    index.query(X, 11)
    search = time.perf_counter() - start
    start = time.perf_counter()
    recall = recall_at_k(index, X, k=10, n_queries=10_000)
    exact = time.perf_counter() - start
    kind = "exact" if index.is_exact_ else f"IVF-Flat ({index.index_.nlist} lists, nprobe {index.index_.nprobe})"
    return [{"rows": n, "dims": d, "index": kind, "build_s": build, "search_all_rows_k10_s": search,
             "build_plus_search_s": build + search, "recall_at_10": recall, "exact_check_s": exact}]


# --------------------------------------------------------------------------- (e) fold-parallel refinement


def fold_parallel_rows(quick: bool) -> list[dict[str, Any]]:
    """Table rows of part (e): the same refined fit sequentially (all threads, one thread) and in ``n_jobs`` processes."""
    from ..data.multidigits import make_multidigits
    from ..data.weak import hide_positives
    from ..estimators import SinglePositiveClassifier
    from ..metrics import mean_average_precision

    train, test = make_multidigits(n_train=1_500 if quick else 6_000, n_test=500 if quick else 2_000, random_state=0)
    X, X_test = train.X.reshape(len(train.X), -1), test.X.reshape(len(test.X), -1)
    observed, kept = hide_positives(train.Y, random_state=0)
    params = dict(refine_rounds=1, scaling="none", random_state=0, verbose=0)
    if quick:
        params.update(hidden_sizes=(128,), max_epochs=15)
    threads = torch.get_num_threads()
    n_jobs = max(2, min(threads, 10))
    runs = [(f"1 process, {threads} threads", None, threads), ("1 process, 1 thread", None, 1), (f"n_jobs={n_jobs}", n_jobs, threads)]
    rows = []
    try:
        for name, jobs, run_threads in runs:
            torch.set_num_threads(run_threads)
            start = time.perf_counter()
            model = SinglePositiveClassifier(n_jobs=jobs, **params).fit(X[kept], observed)
            seconds = time.perf_counter() - start
            rows.append({"run": name, "fold_networks": 10, "wall_s": seconds,
                         "test_macro_mAP": 100 * float(mean_average_precision(test.Y, model.predict_proba(X_test)))})
    finally:
        torch.set_num_threads(threads)
    for r in rows:
        r["speed_up"] = rows[0]["wall_s"] / r["wall_s"]
    return rows


# --------------------------------------------------------------------------- (f) beside busy processes

#: part (f)'s fit: SinglePositiveClassifier defaults with one refinement round (10 fold networks), MLP 512-512
POSITIVE_ONLY_FIT = """
import sys
from weaklabel import SinglePositiveClassifier
from weaklabel.data.multidigits import make_multidigits
from weaklabel.data.weak import hide_positives
train, _ = make_multidigits(n_train=int(sys.argv[1]), n_test=10, random_state=0)
X = train.X.reshape(len(train.X), -1)
observed, kept = hide_positives(train.Y, random_state=0)
SinglePositiveClassifier(refine_rounds=1, scaling="none", random_state=0, verbose=0).fit(X[kept], observed)
"""


@contextmanager
def busy_processes(n: int) -> Iterator[None]:
    """``n`` processes spinning on a core each (``python -c "while True: pass"``) for the block."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        time.sleep(1.0)  # let them take their cores
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def timed_run(args: list[str], cwd: Path, src: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child and its children, from its rusage) of ``python args``.

    The environment's thread settings are cleared so that the code's own choice is measured; ``src`` is put first
    on PYTHONPATH (another version of the package)."""
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OMP_WAIT_POLICY")}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise RuntimeError(f"{args} failed: {errors.read().decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def end_to_end_runs(quick: bool) -> dict[str, list[str]]:
    """Part (f)'s commands (``{tmp}`` stands for a fresh temporary folder): the demo as a user starts it
    (``python -m weaklabel``, which sets ``OMP_WAIT_POLICY=PASSIVE``), and the 10-network positive-only fit."""
    demo = ["-m", "weaklabel", "demo", "-q", "--out", "{tmp}/report"] + (["--only", "positive-only-blobs"] if quick else [])
    return {"demo": demo, "positive-only fit, 10 networks": ["-c", POSITIVE_ONLY_FIT, "1000" if quick else "6000"]}


def under_load_rows(quick: bool, busy: int = 2, src: Path | None = None) -> list[dict[str, Any]]:
    """Table rows of part (f): each run in a fresh process, alone and beside ``busy`` busy processes."""
    rows = []
    for name, args in end_to_end_runs(quick).items():
        for load in (0, busy):
            with tempfile.TemporaryDirectory() as tmp, busy_processes(load):
                load_avg = os.getloadavg()[0]
                wall, cpu = timed_run([a.replace("{tmp}", tmp) for a in args], Path(tmp), src)
            rows.append({"run": name, "beside": f"{load} busy", "wall_s": wall, "cpu_s": cpu, "load_1min_at_start": load_avg})
            print(rows[-1], flush=True)
    idle = {r["run"]: r["wall_s"] for r in rows if r["beside"] == "0 busy"}
    for r in rows:
        r["wall_vs_alone"] = r["wall_s"] / idle[r["run"]]
    return rows


# --------------------------------------------------------------------------- suite


@register_suite("speed")
def speed_suite(quick: bool, verbose: int) -> Report:
    n_rows = 10_000 if quick else N_ROWS
    load = os.getloadavg()[0]
    threads = torch.get_num_threads()
    report = Report("Benchmark: speed")
    report.text(__doc__.split("\n\n", 1)[1])
    report.text(f"Machine: {os.cpu_count()} CPUs, torch {torch.__version__}, {threads} threads; "
                f"1-minute load average at the start: {load:.2f}; no GPU measured.")

    parts: list[tuple[str, str, list[dict[str, Any]]]] = []
    rows, peaks = reference_rows(n_rows)
    peak_text = f"float32 2048² matmul readings {min(peaks):.1f}–{max(peaks):.1f} GFLOP/s with {threads} threads (fractions use {max(peaks):.1f})"
    print(f"{peak_text}\n{format_table(rows)}", flush=True)
    parts.append(("(a) Reference workload", f"{n_rows:,} × {N_IN} inputs, MLP {'-'.join(map(str, HIDDEN))}, {N_LABELS} labels; {peak_text}.", rows))

    scaling = scaling_rows(quick)
    print(format_table(scaling), flush=True)
    parts.append(("(b) Scaling", f"MLP {SCALING_HIDDEN[0]} hidden, batch {SCALING_BATCH}, one epoch per point, a fresh process each.", scaling))

    dist_rows = distributed_rows(quick)
    print(format_table(dist_rows), flush=True)
    parts.append(("(c) torchrun, 2 processes against 1", "Same data (teacher-labelled, 64 inputs, 20 labels), global batch 512, "
                  "MLP 256-256 without batch norm or dropout; wall time includes process start-up.", dist_rows))

    nn_rows = neighbour_rows(quick)
    print(format_table(nn_rows), flush=True)
    parts.append(("(d) Neighbour search", "Index chosen by size (exact up to 50,000 rows, IVF-Flat above); "
                  "recall@10 against the exact search on 10,000 query rows.", nn_rows))

    fold_rows = fold_parallel_rows(quick)
    print(format_table(fold_rows), flush=True)
    parts.append(("(e) Fold-parallel refinement", "SinglePositiveClassifier defaults with refine_rounds=1 (10 fold networks, "
                  "MLP 512-512, early stopping) on multi-digits; speed_up against the first row; a worker process "
                  "gets threads ÷ n_jobs torch threads.", fold_rows))

    load_rows = under_load_rows(quick)
    print(format_table(load_rows), flush=True)
    parts.append(("(f) Beside busy processes", "Each run in a fresh process (start-up included), alone and beside two "
                  "`python -c \"while True: pass\"`; cpu_s from the child's rusage; wall_vs_alone against the run alone. "
                  "benchmarks/threads.py compares this with an earlier version of the code.", load_rows))

    for title, text, table in parts:
        report.section(title).text(text).table(table)
        if title.startswith("(b)"):
            curves = {axis: [r for r in table if r["axis"] == axis] for axis in ("rows", "labels", "input dims")}
            report.figure(scaling_curves(curves), "scaling", "Seconds of one epoch and peak resident memory against rows, labels and input dimensions (log-log).")
    report.text(f"1-minute load average at the end: {os.getloadavg()[0]:.2f}.")
    return report
