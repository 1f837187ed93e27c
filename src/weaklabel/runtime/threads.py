"""How many threads a fit computes with: the caller's count, or one chosen for the work and the machine.

The rule (docs/reliability.md, "Threads"):

* **The caller's count wins.** When ``OMP_NUM_THREADS`` or ``MKL_NUM_THREADS`` is set, or the process's torch
  count is not torch's own default (someone called ``torch.set_num_threads``), every fit uses that count.
  torch's default is the number of CPUs, or of physical cores, the process may run on: a count equal to either
  is taken for it.
* **Otherwise the work decides.** A training step of ``F`` floating-point operations gets
  ``floor(F / FLOPS_PER_THREAD)`` threads, at least 1 and at most the CPUs the process may use
  (:func:`cpu_budget`: its affinity mask, capped by a cgroup CPU quota, as in a container started with
  ``--cpus 2``). Small networks and batches train on one thread: each parallel region costs a fork, a join and
  a barrier, and beside other busy processes a barrier waits for a thread that is not running, which cost the
  demo 2.6 times its one-thread wall time (issue 21).
* **Never the momentary load.** The count changes float rounding, so a count read from the load would make a
  seeded fit give another model on a busier minute; the count depends on the work and the machine only.
* **For the fit only.** :func:`holding_threads` sets the count and puts the caller's back, also after an error.

OpenMP's spin-wait (threads polling for work after a parallel region) can only be turned off before the OpenMP
runtime loads: ``import weaklabel`` sets ``OMP_WAIT_POLICY=PASSIVE`` (unless set) when torch is not loaded yet.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch

__all__ = ["FLOPS_PER_THREAD", "caller_chose_threads", "cpu_budget", "holding_threads", "threads_for_work"]

#: floating-point operations a training step needs per thread for one more thread to shorten it (see
#: benchmarks/threads.py, part (a), which measures the crossover on the engine's own workloads)
FLOPS_PER_THREAD = 100e6

#: environment variables by which a caller fixes the thread count of torch's OpenMP and MKL
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _allowed_cpus() -> set[int]:
    try:
        return set(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return set(range(os.cpu_count() or 1))


def _physical_cores(cpus: set[int]) -> int:
    """Distinct (package, core) pairs among ``cpus`` (Linux sysfs), or ``len(cpus)`` where sysfs does not say."""
    cores = set()
    for cpu in cpus:
        topology = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology")
        try:
            cores.add((topology.joinpath("physical_package_id").read_text().strip(), topology.joinpath("core_id").read_text().strip()))
        except OSError:
            return len(cpus)
    return len(cores) or len(cpus)


def _cgroup_quota() -> float | None:
    """CPUs a cgroup v2 quota (``cpu.max``) allows this process, or None without one."""
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        return None
    return None if quota == "max" else int(quota) / int(period)


def cpu_budget() -> int:
    """The most threads a fit uses: the CPUs this process may run on, capped by a cgroup CPU quota (at least 1)."""
    cpus = len(_allowed_cpus())
    quota = _cgroup_quota()
    return max(1, min(cpus, math.floor(quota) if quota is not None else cpus))


def caller_chose_threads() -> bool:
    """Whether the process's thread count is the caller's: set by ``OMP_NUM_THREADS``/``MKL_NUM_THREADS``, or not
    torch's default (the CPUs or physical cores the process may use)."""
    if any(os.environ.get(name, "").strip() for name in THREAD_VARIABLES):
        return True
    cpus = _allowed_cpus()
    return torch.get_num_threads() not in (len(cpus), _physical_cores(cpus))


def threads_for_work(flops_per_step: float) -> int | None:
    """The thread count for training steps of ``flops_per_step`` operations, or None where the caller chose one."""
    if caller_chose_threads():
        return None
    return max(1, min(cpu_budget(), int(flops_per_step // FLOPS_PER_THREAD)))


@contextmanager
def holding_threads(threads: int | None) -> Iterator[None]:
    """torch computes with ``threads`` threads inside the block (None: as it was), then with the caller's count."""
    before = torch.get_num_threads()
    if threads is None or threads == before:
        yield
        return
    torch.set_num_threads(int(threads))
    try:
        yield
    finally:
        torch.set_num_threads(before)
