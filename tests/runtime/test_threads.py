"""The thread count of a fit: the caller's where they chose one, else one for the work and the machine, held for
the fit only."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from weaklabel.nn import build_network
from weaklabel.runtime import threads
from weaklabel.training import Callback, Trainer, TrainingConfig


@pytest.fixture
def torch_default(monkeypatch):
    """A process whose thread count is torch's default (no variable set, the count equal to the CPUs)."""
    for name in threads.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(threads, "_allowed_cpus", lambda: {0, 1, 2, 3})
    monkeypatch.setattr(threads, "_physical_cores", lambda cpus: len(cpus))
    monkeypatch.setattr(threads, "_cgroup_quota", lambda: None)
    before = torch.get_num_threads()
    torch.set_num_threads(4)
    yield
    torch.set_num_threads(before)


def test_holding_threads_sets_the_count_for_the_block_and_puts_it_back_also_after_an_error():
    before = torch.get_num_threads()
    target = 1 if before != 1 else 2
    with threads.holding_threads(target):
        assert torch.get_num_threads() == target
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError), threads.holding_threads(target):
        raise RuntimeError("boom")
    assert torch.get_num_threads() == before
    with threads.holding_threads(None):
        assert torch.get_num_threads() == before


def test_a_count_set_by_a_variable_or_by_set_num_threads_is_the_callers(torch_default, monkeypatch):
    assert not threads.caller_chose_threads()
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    assert threads.caller_chose_threads()
    monkeypatch.delenv("OMP_NUM_THREADS")
    torch.set_num_threads(3)
    assert threads.caller_chose_threads()
    assert threads.threads_for_work(1e12) is None  # the caller's count stays


def test_the_work_sets_the_count_up_to_the_cpus(torch_default):
    assert threads.threads_for_work(0.0) == 1
    assert threads.threads_for_work(threads.FLOPS_PER_THREAD * 2.5) == 2
    assert threads.threads_for_work(threads.FLOPS_PER_THREAD * 100) == 4


def test_a_cgroup_quota_caps_the_count(torch_default, monkeypatch):
    monkeypatch.setattr(threads, "_cgroup_quota", lambda: 1.5)
    assert threads.cpu_budget() == 1
    assert threads.threads_for_work(threads.FLOPS_PER_THREAD * 100) == 1


def test_a_physical_core_count_is_also_torchs_default(torch_default, monkeypatch):
    monkeypatch.setattr(threads, "_physical_cores", lambda cpus: 2)  # 4 CPUs, 2 cores: torch with MKL takes 2
    torch.set_num_threads(2)
    assert not threads.caller_chose_threads()


class _Seen(Callback):
    def __init__(self):
        self.counts = []

    def on_epoch_end(self, trainer, logs):
        self.counts.append(torch.get_num_threads())


def _fit(config):
    torch.manual_seed(0)
    net = build_network({"encoder": {"type": "mlp", "in_features": 3, "hidden_sizes": [8]}, "head": {"type": "linear", "out_features": 1}})
    data = {"x": torch.randn(64, 3), "y": torch.randn(64, 1)}
    seen = _Seen()
    Trainer(net, lambda b: nn.functional.mse_loss(net(b["x"]), b["y"]), config, [seen]).fit(data)
    return seen.counts


def test_a_fit_holds_its_count_and_gives_the_callers_back(torch_default):
    assert _fit(TrainingConfig(max_epochs=2, threads=2)) == [2, 2]
    assert torch.get_num_threads() == 4
    assert _fit(TrainingConfig(max_epochs=2)) == [1, 1]  # a tiny network: one thread
    assert torch.get_num_threads() == 4


def test_a_fit_keeps_a_count_the_caller_chose(torch_default):
    torch.set_num_threads(3)
    assert _fit(TrainingConfig(max_epochs=1)) == [3]


@pytest.mark.parametrize(
    "script, expected",
    [
        ("import weaklabel", "PASSIVE"),  # imported first: OpenMP's idle threads will sleep
        ("import torch, weaklabel", "None"),  # torch's runtime started first: too late, nothing set
        ("import os; os.environ['OMP_WAIT_POLICY'] = 'ACTIVE'; import weaklabel", "ACTIVE"),  # the caller's choice stays
    ],
)
def test_importing_weaklabel_first_sets_a_passive_wait_policy_unless_one_is_set(script, expected):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    done = subprocess.run([sys.executable, "-c", f"{script}; import os; print(os.environ.get('OMP_WAIT_POLICY'))"],
                          env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == expected
