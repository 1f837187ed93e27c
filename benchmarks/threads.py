"""Threads that fit the work and the machine (issue 21, item 1): the measurements behind
``weaklabel.runtime.threads``.

(a) Crossover. Training steps of the engine's own workloads (MLPs of 64 inputs and widths 32 to 1,024, 20
labels; the conv encoder on 8×8 and 28×28 images; batch 256) with 1 thread and with every CPU, wall and CPU
seconds per step, beside the FLOP per step that ``weaklabel.runtime.threads.threads_for_work`` reads. The
threshold ``FLOPS_PER_THREAD`` is where more threads start to pay on an idle machine.

(b) End to end. ``weaklabel demo`` and a 10-network positives-only fit (``SinglePositiveClassifier`` defaults
with ``refine_rounds=1``, MLP 512-512, on 6,000 multi-digits canvases), each in a fresh process: idle and beside
``--busy`` processes running ``python -c "while True: pass"``; wall and CPU seconds (the child's rusage). Each
is run for the code ``--before`` names (a git ref, its files taken by ``git archive`` and put first on
PYTHONPATH; default ``main``) and for this working tree ("after", whose ``import weaklabel`` sets
``OMP_WAIT_POLICY=PASSIVE``).

Run on an idle machine (nothing else busy; the load average is printed):

    OMP_NUM_THREADS= .venv/bin/python benchmarks/threads.py              # (a) and (b), about 25 min on 2 cores
    .venv/bin/python benchmarks/threads.py --part crossover             # (a) only, about 2 min
    .venv/bin/python benchmarks/threads.py --part end-to-end --before main --busy 2

The results go to benchmarks/results/threads/report.md (``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # this tree's helpers, whatever is installed

from weaklabel.bench.speed import busy_processes, end_to_end_runs, timed_run  # noqa: E402

# --------------------------------------------------------------------------- (a) crossover


def crossover_rows(steps: int = 40) -> list[dict[str, object]]:
    import torch
    from torch import nn

    from weaklabel.nn import build_network
    from weaklabel.nn.cost import multiply_adds_per_row
    from weaklabel.runtime.threads import cpu_budget
    from weaklabel.training import Trainer, TrainingConfig

    batch = 256
    workloads = [(f"MLP 64-{h}-{h}-20", {"type": "mlp", "in_features": 64, "hidden_sizes": [h, h], "norm": "batch", "dropout": 0.1}, (64,))
                 for h in (32, 64, 128, 256, 512, 1024)]
    workloads += [(f"conv {c} on {s}x{s}", {"type": "conv", "in_channels": 1, "height": s, "width": s, "channels": list(c)}, (1, s, s))
                  for c, s in (((16, 32, 64), 8), ((32, 64, 128), 28))]
    rows = []
    for name, encoder, shape in workloads:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            net = build_network({"encoder": encoder, "head": {"type": "linear", "out_features": 20}})
        g = torch.Generator().manual_seed(0)
        data = {"x": torch.randn(batch * steps, *shape, generator=g), "y": (torch.rand(batch * steps, 20, generator=g) < 0.1).float()}
        loss = nn.BCEWithLogitsLoss()
        row: dict[str, object] = {"workload": name, "MFLOP_per_step": 6 * batch * multiply_adds_per_row(net) / 1e6}
        for threads in sorted({1, cpu_budget()}):
            config = TrainingConfig(max_epochs=1, batch_size=batch, patience=None, device="cpu", threads=threads)
            Trainer(net, lambda b: loss(net(b["x"]), b["y"]), config).fit({k: v[: 2 * batch] for k, v in data.items()})  # warm-up
            wall, cpu = time.perf_counter(), time.process_time()
            Trainer(net, lambda b: loss(net(b["x"]), b["y"]), config).fit(data)
            row[f"ms_per_step_{threads}t"] = 1e3 * (time.perf_counter() - wall) / steps
            row[f"cpu_ms_per_step_{threads}t"] = 1e3 * (time.process_time() - cpu) / steps
        if cpu_budget() > 1:
            row["speed_up"] = row["ms_per_step_1t"] / row[f"ms_per_step_{cpu_budget()}t"]
        rows.append(row)
        print(row, flush=True)
    return rows


# --------------------------------------------------------------------------- (b) end to end


@contextmanager
def checkout(ref: str):
    """``ref``'s files (``git archive``, so the repository's worktrees are left alone) in a temporary directory;
    yields its src/ directory."""
    with tempfile.TemporaryDirectory(prefix="weaklabel-before-") as folder:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", ref, "src"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        yield Path(folder) / "src"


def end_to_end_rows(before: str, busy: int, only: list[str] | None, codes: tuple[str, ...] = ("before", "after")) -> list[dict[str, object]]:
    runs = end_to_end_runs(quick=False)
    rows = []
    with checkout(before) as before_src:
        for code, src in (("before", before_src), ("after", ROOT / "src")):
            for name, args in runs.items():
                if code not in codes or (only and name not in only):
                    continue
                for load in (0, busy):
                    with tempfile.TemporaryDirectory() as tmp, busy_processes(load):
                        load_avg = os.getloadavg()[0]
                        wall, cpu = timed_run([a.replace("{tmp}", tmp) for a in args], Path(tmp), src)
                    row = {"code": code if code == "after" else f"before ({before})", "run": name, "when": time.strftime("%H:%M UTC", time.gmtime()),
                           "beside": f"{load} busy", "wall_s": wall, "cpu_s": cpu, "load_1min_at_start": load_avg}
                    rows.append(row)
                    print(row, flush=True)
    return rows


def markdown(rows: list[dict[str, object]]) -> str:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        lines.append("| " + " | ".join(f"{r[c]:.3g}" if isinstance(r.get(c), float) else str(r.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["crossover", "end-to-end", "all"], default="all")
    parser.add_argument("--before", default="main", help="git ref of the code to compare against (default main)")
    parser.add_argument("--busy", type=int, default=2, help="busy processes beside the loaded runs (default 2)")
    parser.add_argument("--only", action="append", help="end-to-end run to do (repeatable; default all)")
    parser.add_argument("--code", choices=["before", "after", "both"], default="both", help="which code's end-to-end runs to do")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "threads"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sections = [f"# Threads\n\n{os.cpu_count()} CPUs; 1-minute load average at the start {os.getloadavg()[0]:.2f}."]
    if args.part in ("crossover", "all"):
        sections.append("## (a) Crossover: seconds per training step, batch 256\n\n" + markdown(crossover_rows()))
    if args.part in ("end-to-end", "all"):
        codes = ("before", "after") if args.code == "both" else (args.code,)
        rows = end_to_end_rows(args.before, args.busy, args.only, codes)
        with (out / "end_to_end.jsonl").open("a", encoding="utf-8") as log:  # runs of several sessions, before and after
            log.writelines(json.dumps(row) + "\n" for row in rows)
        logged = [json.loads(line) for line in (out / "end_to_end.jsonl").read_text(encoding="utf-8").splitlines()]
        sections.append(f"## (b) End to end, idle and beside {args.busy} busy processes\n\nEvery run logged in end_to_end.jsonl, "
                        "oldest first (a shared machine: compare rows taken close in time).\n\n" + markdown(logged))
    sections.append(f"1-minute load average at the end {os.getloadavg()[0]:.2f}; command: `python benchmarks/threads.py {' '.join(sys.argv[1:])}`.")
    (out / "report.md").write_text("\n\n".join(sections) + "\n", encoding="utf-8")
    print(f"report: {out / 'report.md'}")


if __name__ == "__main__":
    main()
