"""Two-process DDP on CPU (gloo) against one process with the same global batch."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from weaklabel import MultiLabelClassifier
from weaklabel.runtime.distributed import Shard, global_mean, global_sum, world_size

PARAMS = dict(
    n_members=1, hidden_sizes=(16,), norm=None, dropout=0.0, scaling="standard", max_epochs=6, batch_size=64,
    validation_fraction=0.2, patience=3, threshold=0.5, device="cpu", random_state=0, verbose=0,
)


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 8)).astype(np.float32)
    Y = (X[:, :3] + 0.5 * rng.normal(size=(n, 3)) > 0.3).astype(np.int64)
    return X, Y


def _worker(rank: int, world: int, init_file: str, out: str) -> None:
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world)
    try:
        # the helpers see the group: a batch-level mean is over both ranks, with gradients
        x = torch.tensor([float(rank)], requires_grad=True)
        global_mean(x).sum().backward()
        assert world_size() == 2 and global_sum(torch.ones(1)).item() == 2.0 and x.grad.item() == 1.0
        X, Y = _data()
        est = MultiLabelClassifier(**PARAMS).fit(X[:400], Y[:400])
        if rank == 0:
            np.save(out, est.predict_proba(X[400:]))
    finally:
        dist.destroy_process_group()


def _as_torchrun_rank(rank: int, world: int, port: int) -> None:
    """torchrun's environment for ``rank``, without a process group yet: the fit joins it as it starts."""
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)


def _seedless_worker(rank: int, world: int, port: int, out: str) -> None:
    _as_torchrun_rank(rank, world, port)
    try:
        X, Y = _data()
        est = MultiLabelClassifier(**{**PARAMS, "random_state": None}).fit(X[:400], Y[:400])
        np.savez(f"{out}{rank}.npz", proba=est.predict_proba(X[400:]), **est.scaler_.state)
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


def _fold_processes_worker(rank: int, world: int, port: int, out: str) -> None:
    from weaklabel import SinglePositiveClassifier
    from weaklabel.exceptions import InputError

    _as_torchrun_rank(rank, world, port)
    X, Y = _data()
    est = SinglePositiveClassifier(hidden_sizes=(8,), max_epochs=1, refine_rounds=1, n_jobs=2, device="cpu", random_state=0, verbose=0)
    try:
        est.fit(X, [[int(row.argmax())] for row in Y])
    except InputError as exc:
        (Path(out) / f"rank{rank}.txt").write_text(str(exc))
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


def _exiting_worker(rank: int, world: int, port: int, out: str) -> None:
    """A fit under torchrun that returns without leaving the group, then the interpreter's exit handlers."""
    import atexit

    _as_torchrun_rank(rank, world, port)
    X, Y = _data()
    MultiLabelClassifier(**PARAMS).fit(X[:400], Y[:400])
    joined = dist.is_initialized()
    atexit._run_exitfuncs()  # what the interpreter runs before it tears down (a spawned worker ends without them)
    (Path(out) / f"rank{rank}.txt").write_text(f"{joined} {dist.is_initialized()}")


def _every_estimator_worker(rank: int, world: int, port: int, out: str) -> None:
    from weaklabel import EmbeddingClassifier, SelfSupervisedClassifier, SinglePositiveClassifier

    _as_torchrun_rank(rank, world, port)
    X, Y = _data(n=300)
    small = dict(hidden_sizes=(8,), max_epochs=2, device="cpu", random_state=0, verbose=0)
    try:
        SinglePositiveClassifier(loss="label_embedding", refine_rounds=0, **small).fit(X, [[int(row.argmax())] for row in Y])
        SinglePositiveClassifier(loss="role", refine_rounds=1, refine_folds=2, **small).fit(X, [[int(row.argmax())] for row in Y])
        for loss in ("center", "arcface"):  # class centres; class weights and a learned scale
            EmbeddingClassifier(loss=loss, **small).fit(X, Y.argmax(axis=1))
        SelfSupervisedClassifier(n_classes=3, n_heads=2, self_labeling_epochs=1, confidence_threshold=0.5, **small).fit(X)
        (Path(out) / f"rank{rank}.txt").write_text("done")
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_process_fit_without_a_seed_uses_rank_0s_seed_on_both(tmp_path):
    """Each rank drawing its own seed splits and scales differently (DDP keeps only the weights in sync)."""
    mp.spawn(_seedless_worker, args=(2, _free_port(), str(tmp_path / "rank")), nprocs=2, join=True)
    rank0, rank1 = np.load(tmp_path / "rank0.npz"), np.load(tmp_path / "rank1.npz")
    assert rank0.files == rank1.files
    for name in rank0.files:
        np.testing.assert_array_equal(rank0[name], rank1[name], err_msg=name)


@pytest.mark.slow
def test_estimators_without_a_torchrun_test_use_every_parameter_under_ddp(tmp_path):
    """DDP runs without its unused-parameter search: a parameter some step leaves out would fail the next step.
    Covered here: the label-embedding head, ROLE's per-item labels and refinement, metric losses with parameters,
    and the self-supervised heads, graph refinement and self-labelling (the torchrun CLI tests fit the rest)."""
    mp.spawn(_every_estimator_worker, args=(2, _free_port(), str(tmp_path)), nprocs=2, join=True)
    assert [(tmp_path / f"rank{rank}.txt").read_text() for rank in range(2)] == ["done", "done"]


@pytest.mark.slow
def test_a_group_the_fit_joined_is_left_before_the_interpreter_tears_down(tmp_path):
    """Left to interpreter shutdown, gloo's threads release the last collectives' tensors after Python is gone and a
    rank that finished first can abort (SIGABRT, pytorch/pytorch#179291): the fit registers the group's teardown."""
    mp.spawn(_exiting_worker, args=(2, _free_port(), str(tmp_path)), nprocs=2, join=True)
    assert [(tmp_path / f"rank{rank}.txt").read_text() for rank in range(2)] == ["True False"] * 2


def test_shard_take_splits_every_row_once_with_padding():
    order = torch.arange(7)
    parts = [Shard(r, 2).take(order) for r in range(2)]
    assert [len(p) for p in parts] == [4, 4]
    assert sorted(torch.cat(parts).tolist()) == [0, 0, 1, 2, 3, 4, 5, 6]  # one row repeated to even out


@pytest.mark.slow
def test_two_process_ddp_matches_single_process(tmp_path):
    X, Y = _data()
    single = MultiLabelClassifier(**PARAMS).fit(X[:400], Y[:400])
    out = tmp_path / "proba.npy"
    mp.spawn(_worker, args=(2, str(tmp_path / "pg"), str(out)), nprocs=2, join=True)
    proba = np.load(out)
    # strided shards + gradient averaging: the same steps as one process, up to float summation order
    np.testing.assert_allclose(proba, single.predict_proba(X[400:]), atol=1e-4)
    from weaklabel.metrics import mean_average_precision

    ref = mean_average_precision(Y[400:], single.predict_proba(X[400:]))
    assert mean_average_precision(Y[400:], proba) == pytest.approx(ref, rel=0.01)


@pytest.mark.slow
def test_torchrun_cli_rank0_writes_the_model(tmp_path):
    X, Y = _data()
    np.savez(tmp_path / "train.npz", X=X, Y=Y)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "-m", "weaklabel",
           "fit", str(tmp_path / "train.npz"), "--out", str(tmp_path / "model"), "--epochs", "2", "--hidden-sizes", "16",
           "--device", "cpu", "--seed", "0", "-q"]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("saved MultiLabelClassifier") == 1  # rank 0 only
    assert (tmp_path / "model").is_dir()


@pytest.mark.slow
def test_torchrun_cli_without_a_seed_trains_with_the_seed_rank_0_recorded(tmp_path):
    """The torchrun example of docs/command-line.md, without --seed: the model is the single-process fit with rank 0's seed."""
    from weaklabel import load
    from weaklabel.cli import main

    X, Y = _data()
    np.savez(tmp_path / "train.npz", X=X[:400], Y=Y[:400])
    # no dropout or batch norm: those draw and average per rank, so only they would tell DDP from one process
    options = ["--epochs", "2", "--hidden-sizes", "16", "--param", "dropout=0", "--param", "norm=null", "--param", "n_members=1", "--device", "cpu", "-q"]
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "-m", "weaklabel", "fit",
           str(tmp_path / "train.npz"), "--out", str(tmp_path / "ddp"), "--checkpoint-dir", str(tmp_path / "ckpt"), *options]
    result = subprocess.run(cmd, env={**os.environ, "OMP_NUM_THREADS": "1"}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    seed = json.loads((tmp_path / "ckpt" / "seed.json").read_text())["seed"]
    assert main(["fit", str(tmp_path / "train.npz"), "--out", str(tmp_path / "single"), *options, "--seed", str(seed)]) == 0
    np.testing.assert_allclose(load(tmp_path / "ddp").predict_proba(X[400:]), load(tmp_path / "single").predict_proba(X[400:]), atol=1e-4)


def test_fold_processes_are_refused_under_torchrun_before_any_network_trains(tmp_path):
    """The first refinement round goes to worker processes before a Trainer exists: the fit has joined the group by then."""
    mp.spawn(_fold_processes_worker, args=(2, _free_port(), str(tmp_path)), nprocs=2, join=True)
    for rank in range(2):
        assert "cannot join a torchrun process group" in (tmp_path / f"rank{rank}.txt").read_text()
