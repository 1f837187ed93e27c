"""Cross-fitted refinement on its own: folds, out-of-fold soft labels, rounds and the ensemble."""

import numpy as np
import pytest
import torch
from sklearn.model_selection import KFold

from weaklabel.algorithms import cross_fitting
from weaklabel.algorithms.cross_fitting import cross_fit, fold_jobs, in_processes, out_of_fold_posterior
from weaklabel.exceptions import InputError
from weaklabel.losses.positive_only import selection_posterior
from weaklabel.nn import ProbabilityEnsemble


def test_fold_jobs_partition_the_rows_as_kfold_with_the_documented_seeds():
    jobs = fold_jobs(23, 4, seed=10, round_=2)
    expected = list(KFold(4, shuffle=True, random_state=12).split(np.zeros(23)))
    assert [job.seed for job in jobs] == [11, 12, 13, 14]
    assert [job.stage for job in jobs] == [f"refine2-fold{f}" for f in range(4)]
    for job, (rows, held_out) in zip(jobs, expected):
        assert np.array_equal(job.rows, rows) and np.array_equal(job.held_out, held_out)
    assert np.array_equal(np.sort(np.concatenate([job.held_out for job in jobs])), np.arange(23))


def test_out_of_fold_posterior_is_each_rows_posterior_of_its_own_folds_scores():
    rng = np.random.default_rng(0)
    observed = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 10)]
    held_out = [np.arange(0, 4), np.arange(4, 10)]
    probabilities = [rng.random((4, 3)).astype(np.float32), rng.random((6, 3)).astype(np.float32)]
    soft = out_of_fold_posterior(observed, held_out, probabilities)
    for rows, p in zip(held_out, probabilities):
        np.testing.assert_array_equal(soft[rows], selection_posterior(torch.from_numpy(p), torch.from_numpy(observed[rows])).numpy())


def test_rounds_train_on_the_previous_rounds_soft_labels_and_the_last_round_is_averaged():
    observed = np.eye(2, dtype=np.float32)[np.arange(12) % 2]
    calls = []

    def train_round(jobs, targets):
        calls.append(None if targets is None else targets.copy())
        return [torch.nn.Linear(1, 2) for _ in jobs]

    model = cross_fit(observed, n_folds=3, rounds=2, seed=0, train_round=train_round, probabilities=lambda net, rows: np.full((len(rows), 2), 0.5, np.float32))
    assert len(calls) == 3 and calls[0] is None and calls[1].shape == (12, 2)
    assert np.all(calls[1][observed > 0] == 1.0)  # an observed positive stays certain
    assert isinstance(model, ProbabilityEnsemble) and len(model.members) == 3 and not model.training


def test_processes_are_refused_under_torchrun(monkeypatch):
    monkeypatch.setattr(cross_fitting.distributed, "is_distributed", lambda: True)
    with pytest.raises(InputError, match="torchrun"):
        in_processes(abs, [(-1,), (-2,)], 2)


def test_in_processes_returns_the_results_in_order():
    assert in_processes(abs, [(-3,), (2,), (-1,)], 2) == [3, 2, 1]
