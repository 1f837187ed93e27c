"""Kill a real ``weaklabel fit`` subprocess after its first checkpoint, resume it, and compare with an uninterrupted run."""

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from weaklabel import load
from weaklabel.cli import main
from weaklabel.exceptions import ModelFileError
from weaklabel.persistence import read_model_dir

#: the default MultiLabelClassifier trains 3 cross-fitted members, each checkpointing into its own sub-directory
FIRST_MEMBER = "member0/checkpoint.safetensors"

ARGS = ["--label-column", "tags", "--epochs", "12", "--hidden-sizes", "32", "--batch-size", "16", "--seed", "3", "-q"]


@pytest.fixture
def data_file(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 6))
    tags = ["|".join(t for t, on in zip("abc", row[:3] > 0.2) if on) or "none" for row in X]
    path = tmp_path / "train.csv"
    pd.DataFrame({**{f"f{j}": X[:, j] for j in range(6)}, "tags": tags}).to_csv(path, index=False)
    return path


#: ``weaklabel fit`` that kills itself (SIGKILL, as a crash or an OOM kill would) right after writing its first
#: checkpoint: the kill lands at the same point however busy the machine is, where a watcher polling for the file
#: could be outrun by the fit on a loaded machine, or wait on it with a clock
KILLED_AFTER_FIRST_CHECKPOINT = """
import os, signal, sys
from weaklabel.training import checkpoint
save_checkpoint = checkpoint.save_checkpoint
def save_then_die(*args, **kwargs):
    save_checkpoint(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
checkpoint.save_checkpoint = save_then_die
from weaklabel.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _kill_after_first_checkpoint(args: list[str], checkpoint: "os.PathLike[str]") -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", KILLED_AFTER_FIRST_CHECKPOINT, "fit", *args], env=env, capture_output=True, text=True)
    assert done.returncode == -signal.SIGKILL, f"the fit was not killed at its first checkpoint: {done.stderr[-2000:]}"
    assert os.path.exists(checkpoint)


def _tensors(model_dir):
    return read_model_dir(model_dir)[2]


@pytest.mark.slow
def test_killed_fit_resumes_to_the_uninterrupted_model(data_file, tmp_path, one_torch_thread):
    ckpt, killed_out = tmp_path / "ckpt", tmp_path / "resumed"
    _kill_after_first_checkpoint([str(data_file), "--out", str(killed_out), *ARGS, "--checkpoint-dir", str(ckpt)], ckpt / FIRST_MEMBER)

    # a killed run leaves no model that load accepts
    with pytest.raises(ModelFileError):
        load(killed_out)

    assert main(["fit", str(data_file), "--out", str(killed_out), *ARGS, "--checkpoint-dir", str(ckpt), "--resume"]) == 0
    reference = tmp_path / "reference"
    assert main(["fit", str(data_file), "--out", str(reference), *ARGS]) == 0

    resumed, uninterrupted = _tensors(killed_out), _tensors(reference)
    assert resumed.keys() == uninterrupted.keys()
    for name in resumed:
        np.testing.assert_array_equal(resumed[name], uninterrupted[name], err_msg=name)
    X = pd.read_csv(data_file).filter(like="f").to_numpy(np.float32)
    np.testing.assert_array_equal(load(killed_out).predict_proba(X), load(reference).predict_proba(X))


@pytest.mark.slow
def test_killed_fit_without_a_seed_resumes_with_the_seed_it_recorded(data_file, tmp_path, one_torch_thread):
    """The run of docs/command-line.md: no --seed; the resumed fit uses the seed recorded when the killed one started."""
    no_seed = ARGS[: ARGS.index("--seed")] + ARGS[ARGS.index("--seed") + 2 :]
    ckpt, killed_out = tmp_path / "ckpt", tmp_path / "resumed"
    _kill_after_first_checkpoint([str(data_file), "--out", str(killed_out), *no_seed, "--checkpoint-dir", str(ckpt)], ckpt / FIRST_MEMBER)
    seed = json.loads((ckpt / "seed.json").read_text())["seed"]

    assert main(["fit", str(data_file), "--out", str(killed_out), *no_seed, "--checkpoint-dir", str(ckpt), "--resume"]) == 0
    reference = tmp_path / "reference"
    assert main(["fit", str(data_file), "--out", str(reference), *no_seed, "--seed", str(seed)]) == 0
    resumed, uninterrupted = _tensors(killed_out), _tensors(reference)
    assert resumed.keys() == uninterrupted.keys()
    for name in resumed:
        np.testing.assert_array_equal(resumed[name], uninterrupted[name], err_msg=name)


def test_resume_needs_a_checkpoint_dir(data_file, tmp_path, capsys):
    assert main(["fit", str(data_file), "--out", str(tmp_path / "m"), *ARGS, "--resume"]) == 2
    assert "--resume needs --checkpoint-dir" in capsys.readouterr().err


def test_resume_refuses_a_checkpoint_of_another_run(data_file, tmp_path, capsys, one_torch_thread):
    ckpt = tmp_path / "ckpt"
    short = [*ARGS, "--epochs", "3"]
    assert main(["fit", str(data_file), "--out", str(tmp_path / "a"), *short, "--checkpoint-dir", str(ckpt)]) == 0
    assert (ckpt / FIRST_MEMBER).is_file()
    other_seed = [*short, "--seed", "4"]
    assert main(["fit", str(data_file), "--out", str(tmp_path / "b"), *other_seed, "--checkpoint-dir", str(ckpt), "--resume"]) == 2
    assert "belongs to another run" in capsys.readouterr().err


class _Crash(Exception):
    pass


X_SMALL = np.random.default_rng(1).normal(size=(200, 5)).astype(np.float32)
Y_SMALL = (X_SMALL[:, :3] > 0).astype(np.int64)
SINGLE = [[int(row.argmax())] for row in Y_SMALL]


def _crash_then_resume(cls, kwargs, fit_args, directory, monkeypatch, resume_args=None, resume_kwargs=None):
    """Fit ``cls(**kwargs)`` with checkpoints every 2 epochs, crash it at epoch 5, and return the fit of
    ``cls(**resume_kwargs)`` resumed on ``resume_args`` (defaults: the same ``kwargs`` and ``fit_args``)."""
    from weaklabel.training.engine import Trainer

    train_epoch = Trainer._train_epoch

    def crash_at_epoch_5(self, train):  # of a checkpointed phase (a self-supervised spectral start has none)
        if self.epoch == 5 and self.config.max_epochs == kwargs["max_epochs"]:
            raise _Crash
        return train_epoch(self, train)

    monkeypatch.setattr(Trainer, "_train_epoch", crash_at_epoch_5)
    with pytest.raises(_Crash):
        cls(**kwargs).set_checkpointing(directory, every=2).fit(*fit_args)
    monkeypatch.setattr(Trainer, "_train_epoch", train_epoch)
    resumed = cls(**(kwargs if resume_kwargs is None else resume_kwargs)).set_checkpointing(directory, every=2, resume=True)
    return resumed.fit(*(fit_args if resume_args is None else resume_args))


def test_a_self_supervised_checkpoint_of_other_data_with_as_many_rows_is_refused(tmp_path, monkeypatch):
    """Its training tensors are row indices into the features; the features must be part of the fingerprint."""
    from weaklabel.estimators import SelfSupervisedClassifier
    from weaklabel.exceptions import InputError

    kwargs = {"n_classes": 3, "method": "minmax_scan", "n_neighbors": 5, "hidden_sizes": (16,), "max_epochs": 8, "verbose": 0, "random_state": 0}
    with pytest.raises(InputError, match="belongs to another run"):
        _crash_then_resume(SelfSupervisedClassifier, kwargs, (X_SMALL,), tmp_path, monkeypatch, resume_args=(X_SMALL[::-1].copy(),))


@pytest.mark.parametrize(
    "name,params,y",
    [
        ("MultiLabelClassifier", {}, Y_SMALL),
        ("SinglePositiveClassifier", {"loss": "role"}, SINGLE),
        ("SinglePositiveClassifier", {"loss": "em_apl"}, SINGLE),
        ("EmbeddingClassifier", {"embedding_dim": 8}, Y_SMALL.argmax(axis=1)),
        ("SelfSupervisedClassifier", {"n_classes": 3, "method": "minmax_scan", "n_neighbors": 5}, None),
    ],
)
def test_estimator_resumes_after_a_crash_to_the_same_model(name, params, y, tmp_path, monkeypatch):
    from weaklabel import estimators

    cls = getattr(estimators, name)
    kwargs = {"hidden_sizes": (16,), "max_epochs": 8, "verbose": 0, "random_state": 0, "device": "cpu", **params}
    fit_args = (X_SMALL,) if y is None else (X_SMALL, y)
    reference = cls(**kwargs).fit(*fit_args)
    resumed = _crash_then_resume(cls, kwargs, fit_args, tmp_path, monkeypatch)
    np.testing.assert_array_equal(resumed.predict_proba(X_SMALL), reference.predict_proba(X_SMALL))


@pytest.mark.parametrize(
    "name,params,y",
    [
        ("MultiLabelClassifier", {}, Y_SMALL),
        ("SinglePositiveClassifier", {"patience": None, "refine_rounds": 1, "refine_folds": 2}, SINGLE),  # several stages
        ("SelfSupervisedClassifier", {"n_classes": 3, "method": "minmax_scan", "n_neighbors": 5, "n_init": 2}, None),
    ],
)
def test_fit_without_a_seed_resumes_with_the_seed_it_recorded(name, params, y, tmp_path, monkeypatch):
    """random_state=None: the seed drawn is recorded before training, and the resumed fit (no seed either) is
    the uninterrupted fit with that seed."""
    from weaklabel import estimators

    cls = getattr(estimators, name)
    kwargs = {"hidden_sizes": (16,), "max_epochs": 8, "verbose": 0, "device": "cpu", **params}
    fit_args = (X_SMALL,) if y is None else (X_SMALL, y)
    resumed = _crash_then_resume(cls, kwargs, fit_args, tmp_path, monkeypatch)
    seed = json.loads((tmp_path / "seed.json").read_text())["seed"]
    reference = cls(**kwargs, random_state=seed).fit(*fit_args)
    np.testing.assert_array_equal(resumed.predict_proba(X_SMALL), reference.predict_proba(X_SMALL))


def test_a_fit_seeded_by_a_randomstate_resumes_with_a_fresh_one(tmp_path, monkeypatch):
    """As in a new process: the resumed fit gets an equal RandomState, not the same object, and is the same run."""
    from weaklabel import MultiLabelClassifier

    kwargs = {"hidden_sizes": (16,), "max_epochs": 8, "verbose": 0, "device": "cpu"}
    seeded = lambda: {**kwargs, "random_state": np.random.RandomState(5)}  # noqa: E731
    resumed = _crash_then_resume(MultiLabelClassifier, seeded(), (X_SMALL, Y_SMALL), tmp_path, monkeypatch, resume_kwargs=seeded())
    seed = json.loads((tmp_path / "seed.json").read_text())["seed"]
    reference = MultiLabelClassifier(**kwargs, random_state=seed).fit(X_SMALL, Y_SMALL)
    np.testing.assert_array_equal(resumed.predict_proba(X_SMALL), reference.predict_proba(X_SMALL))


def test_a_seeded_fit_records_no_seed(tmp_path):
    from weaklabel import MultiLabelClassifier

    MultiLabelClassifier(hidden_sizes=(8,), max_epochs=1, random_state=0, verbose=0).set_checkpointing(tmp_path).fit(X_SMALL, Y_SMALL)
    assert not (tmp_path / "seed.json").exists()


def test_refined_fit_resumes_in_a_later_stage_to_the_same_model(tmp_path, monkeypatch):
    """A crash in the third of the networks a refined fit trains: finished stages replay from their checkpoints."""
    from weaklabel.estimators import SinglePositiveClassifier
    from weaklabel.training.engine import Trainer

    kwargs = {"hidden_sizes": (16,), "max_epochs": 8, "patience": None, "refine_rounds": 1, "refine_folds": 2, "verbose": 0, "random_state": 0, "device": "cpu"}
    reference = SinglePositiveClassifier(**kwargs).fit(X_SMALL, SINGLE)

    train_epoch = Trainer._train_epoch
    reached = []

    def crash_in_third_network(self, train):
        if self.epoch == 5:
            reached.append(self)
            if len(reached) == 3:
                raise _Crash
        return train_epoch(self, train)

    monkeypatch.setattr(Trainer, "_train_epoch", crash_in_third_network)
    with pytest.raises(_Crash):
        SinglePositiveClassifier(**kwargs).set_checkpointing(tmp_path, every=2).fit(X_SMALL, SINGLE)
    monkeypatch.setattr(Trainer, "_train_epoch", train_epoch)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refine0-fold0", "refine0-fold1", "refine1-fold0"]
    resumed = SinglePositiveClassifier(**kwargs).set_checkpointing(tmp_path, every=2, resume=True).fit(X_SMALL, SINGLE)
    np.testing.assert_array_equal(resumed.predict_proba(X_SMALL), reference.predict_proba(X_SMALL))


@pytest.mark.parametrize(
    "n_init,crash_run,crash_epoch,starts_on_resume,embeddings_on_resume",
    [
        (2, 2, 5, 0, 0),  # both runs have a checkpoint: no start and no embedding recomputed
        (2, 2, 1, 1, 1),  # run 2 crashed before its first checkpoint: only its start runs again (and the embedding it needs)
        (1, 1, 5, 0, 0),  # one run (checkpoints in the directory itself, no stage sub-directory)
    ],
)
def test_resumed_self_supervised_runs_skip_their_spectral_start(
    n_init, crash_run, crash_epoch, starts_on_resume, embeddings_on_resume, tmp_path, monkeypatch
):
    """A crash in a run: on resume each run that restores a checkpoint skips its spectral start (which the
    checkpoint overwrites), the embedding is computed only if some run still needs it, and the model equals the
    uninterrupted one; with resume=True and no checkpoint yet, every run starts as usual."""
    from weaklabel.estimators import SelfSupervisedClassifier, _scan
    from weaklabel.training.engine import Trainer

    kwargs = {"n_classes": 3, "method": "minmax_scan", "n_neighbors": 5, "n_init": n_init, "init": "spectral", "hidden_sizes": (16,), "max_epochs": 8, "verbose": 0, "random_state": 0, "device": "cpu"}
    reference = SelfSupervisedClassifier(**kwargs).fit(X_SMALL)

    train_epoch = Trainer._train_epoch
    clustering_runs = []

    def crash(self, train):
        if self.config.max_epochs == 8:  # the clustering phase, not a start's fixed epochs
            if self.epoch == 0:
                clustering_runs.append(self)
            if len(clustering_runs) == crash_run and self.epoch == crash_epoch:
                raise _Crash
        return train_epoch(self, train)

    monkeypatch.setattr(Trainer, "_train_epoch", crash)
    with pytest.raises(_Crash):
        SelfSupervisedClassifier(**kwargs).set_checkpointing(tmp_path, every=2).fit(X_SMALL)
    monkeypatch.setattr(Trainer, "_train_epoch", train_epoch)

    starts, embeddings = [], []
    fit_partitions, embedding_of = SelfSupervisedClassifier._fit_partitions, _scan.spectral_embedding_of
    monkeypatch.setattr(SelfSupervisedClassifier, "_fit_partitions", lambda self, *args: starts.append(1) or fit_partitions(self, *args))
    monkeypatch.setattr(_scan, "spectral_embedding_of", lambda *args, **kw: embeddings.append(1) or embedding_of(*args, **kw))
    resumed = SelfSupervisedClassifier(**kwargs).set_checkpointing(tmp_path, every=2, resume=True).fit(X_SMALL)
    assert (len(starts), len(embeddings)) == (starts_on_resume, embeddings_on_resume)
    np.testing.assert_array_equal(resumed.predict_proba(X_SMALL), reference.predict_proba(X_SMALL))

    starts.clear(), embeddings.clear()
    fresh = SelfSupervisedClassifier(**kwargs).set_checkpointing(tmp_path / "fresh", every=2, resume=True).fit(X_SMALL)
    assert (len(starts), len(embeddings)) == (n_init, 1)
    np.testing.assert_array_equal(fresh.predict_proba(X_SMALL), reference.predict_proba(X_SMALL))


def test_a_fresh_fit_clears_the_stage_checkpoints_an_earlier_run_left(tmp_path, monkeypatch):
    """Run A finishes every refinement stage; run B (another seed, not resuming) in the same directory crashes in
    its first stage. Resuming B must not meet A's later stages (refused as another run's) but finish B."""
    from weaklabel import SinglePositiveClassifier

    kwargs = {"loss": "em_apl", "refine_rounds": 1, "refine_folds": 2, "hidden_sizes": (16,), "max_epochs": 8, "verbose": 0, "device": "cpu"}
    SinglePositiveClassifier(**kwargs, random_state=0).set_checkpointing(tmp_path, every=2).fit(X_SMALL, SINGLE)
    assert len(list(tmp_path.glob("*/checkpoint.safetensors"))) == 4
    reference = SinglePositiveClassifier(**kwargs, random_state=1).fit(X_SMALL, SINGLE)
    resumed = _crash_then_resume(SinglePositiveClassifier, {**kwargs, "random_state": 1}, (X_SMALL, SINGLE), tmp_path, monkeypatch)
    np.testing.assert_array_equal(resumed.predict_proba(X_SMALL), reference.predict_proba(X_SMALL))
