"""Throw generated malformed inputs at ``weaklabel fit/predict/evaluate/cluster`` and count the outcomes.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/fuzz_cli.py --n 240 --seed 0

Each case is one command line run in-process through :func:`weaklabel.cli.main`
(much faster than a subprocess per case; an exception escaping ``main`` is
counted as a traceback, exactly what the user would have seen). Outcomes:

* **traceback**: an exception escaped ``main`` (must be 0);
* **error**: exit status 2 with a one-line ``weaklabel: error:`` (or argparse's
  ``weaklabel <command>: error:``) message;
* **success**: exit status 0;
* **unclear**: any other exit (must be 0).

Then the silent-wrong checks: a success on a case that must fail, a
predictions file whose row count differs from the input's, predictions that
change when only the column order of the input changes, a fitted model
directory that ``weaklabel.load`` refuses. The structured cases cover the
inputs named in issue 7; the rest are random mutations (byte flips,
truncation, cell garbage, line edits) of valid CSV/Parquet/npz files and of a
model directory. The report goes to ``benchmarks/results/robustness/report.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import random
import shutil
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

TASK_FIT = ["--epochs", "2", "--hidden-sizes", "8", "--batch-size", "32", "--seed", "0", "-q"]
FIT = [*TASK_FIT, "--threshold", "0.5"]  # multilabel
CLUSTER = ["--n-classes", "3", "--epochs", "2", "--seed", "0", "--param", "hidden_sizes=[8]", "-q"]
FEATURES = [f"f{j}" for j in range(4)]
LABELS = ("a", "b", "c")
GARBAGE = ["", "nan", "inf", "-inf", "1e999", "-0", "abc", "1,5", '"', "\x00", "🙂", "TRUE", " 3 ", "1e-320", "0x1F", "NULL"]
REPORT = Path(__file__).resolve().parent / "results" / "robustness" / "report.md"


@dataclass
class Case:
    """One command line; ``expect`` is "error", "success" or "any"."""

    name: str
    argv: list[str]
    expect: str = "any"
    rows: int | None = None  # predictions must have this many rows on success
    same_as: str | None = None  # predictions must equal those of the case of this name


@dataclass
class Outcome:
    case: Case
    kind: str  # traceback | error | success | unclear
    message: str = ""
    wrong: str | None = None


@dataclass
class Workspace:
    """The base files and a trained model the cases mutate; ``new`` gives a fresh path per case."""

    root: Path
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    model: Path = Path()
    counter: int = 0

    def new(self, suffix: str = "") -> Path:
        self.counter += 1
        return self.root / f"c{self.counter:04d}{suffix}"


# --------------------------------------------------------------------------- base data


def base_frame(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, len(FEATURES)))
    tags = ["|".join(label for label, on in zip(LABELS, row[:3] > 0) if on) or "a" for row in X]
    return pd.DataFrame({"id": [f"r{i}" for i in range(n)], **{f: X[:, j] for j, f in enumerate(FEATURES)}, "tags": tags})


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_parquet(path, index=False)
    return path


def write_npz(X: np.ndarray, path: Path, **arrays: np.ndarray) -> Path:
    with open(path, "wb") as fh:
        np.savez(fh, X=X, **arrays)
    return path


def csv_text(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False)


def write_bytes(ws: Workspace, data: bytes, suffix: str) -> Path:
    path = ws.new(suffix)
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- command lines


def fit_argv(ws: Workspace, path: Path, label: list[str] | None = None) -> list[str]:
    return ["fit", str(path), "--out", str(ws.new("-model")), *(label if label is not None else ["--label-column", "tags"]), *FIT]


def predict_argv(ws: Workspace, path: Path, model: Path | None = None) -> list[str]:
    return ["predict", str(model or ws.model), str(path), "--out", str(ws.new("-pred.csv")), "-q"]


def evaluate_argv(ws: Workspace, path: Path, model: Path | None = None) -> list[str]:
    return ["evaluate", str(model or ws.model), str(path), "--out", str(ws.new("-eval")), "-q"]


def cluster_argv(ws: Workspace, path: Path) -> list[str]:
    return ["cluster", str(path), "--out", str(ws.new("-cluster")), *CLUSTER]


# --------------------------------------------------------------------------- structured cases


def table_cases(ws: Workspace, with_cluster: bool) -> list[Case]:
    """The inputs named in issue 7, through every command they apply to."""
    f = ws.frame
    cases: list[Case] = []

    def csv(frame_or_text: pd.DataFrame | str | bytes, suffix: str = ".csv") -> Path:
        data = frame_or_text if isinstance(frame_or_text, bytes) else (
            csv_text(frame_or_text) if isinstance(frame_or_text, pd.DataFrame) else frame_or_text
        ).encode("utf-8")
        return write_bytes(ws, data, suffix)

    def every(name: str, path: Path, fit: str, predict: str, evaluate: str, cluster: str, rows: int | None = None) -> None:
        cases.append(Case(f"fit/{name}", fit_argv(ws, path), fit))
        cases.append(Case(f"predict/{name}", predict_argv(ws, path), predict, rows=rows))
        cases.append(Case(f"evaluate/{name}", evaluate_argv(ws, path), evaluate))
        if with_cluster:
            cases.append(Case(f"cluster/{name}", cluster_argv(ws, path), cluster))

    n = len(f)
    every("valid", csv(f), "success", "success", "success", "success", rows=n)
    every("empty file", csv(b""), "error", "error", "error", "error")
    every("header only", csv(",".join(f.columns) + "\n"), "error", "error", "error", "error")
    every("blank lines only", csv("\n\n\n"), "error", "error", "error", "error")
    mixed = f.astype({"f1": object})
    mixed.loc[5, "f1"] = "abc"
    every("mixed types in a feature column", csv(mixed), "error", "error", "error", "error")
    for token in ("", "nan", "inf", "-inf", "1e300"):
        bad = f.astype({"f2": object})
        bad.loc[7, "f2"] = token
        every(f"feature cell {token or 'empty'!r}", csv(bad), "error", "error", "error", "error")
    as_text = f.copy()
    as_text["f3"] = [f"'{v:.3f}'" for v in f["f3"]]
    every("numbers quoted as text", csv(as_text), "any", "error", "error", "any")  # fit: a text column, left out with a warning
    tiny = f.copy()
    tiny["f0"] = f["f0"] * 1e-300
    every("tiny numbers", csv(tiny), "success", "success", "success", "any", rows=n)
    dup = csv(csv_text(f).replace("f1", "f0", 1))
    every("duplicate column names", dup, "error", "error", "error", "error")
    every("one row", csv(f.head(1)), "error", "success", "any", "error", rows=1)
    every("two rows", csv(f.head(2)), "any", "success", "any", "error", rows=2)
    one_label = f.assign(tags="a")
    every("one label everywhere", csv(one_label), "any", "success", "any", "any", rows=n)
    every("every sample has all labels", csv(f.assign(tags="a|b|c")), "any", "success", "any", "any", rows=n)
    every("no sample has a label", csv(f.assign(tags="")), "error", "success", "error", "any", rows=n)
    unknown = f.copy()
    unknown.loc[3, "tags"] = "a|zzz"
    every("unknown label", csv(unknown), "success", "success", "error", "any", rows=n)
    many = f.head(4).assign(tags=["l0|l1|l2", "l3|l4|l5", "l6|l7", "l8|l9"])
    every("more labels than rows", csv(many), "any", "success", "error", "error", rows=4)
    latin = csv_text(f.assign(id=[f"café{i}" for i in range(n)])).encode("latin-1")
    every("latin-1 encoded CSV", csv(latin), "error", "error", "error", "error")
    every("UTF-16 encoded CSV", csv(csv_text(f).encode("utf-16")), "error", "error", "error", "error")
    every("UTF-8 with BOM", csv(b"\xef\xbb\xbf" + csv_text(f).encode()), "success", "success", "success", "success", rows=n)
    every("CRLF line endings", csv(csv_text(f).replace("\n", "\r\n")), "success", "success", "success", "success", rows=n)
    lines = csv_text(f).splitlines()
    every("row with an extra field", csv("\n".join(lines[:4] + [lines[4] + ",9"] + lines[5:]) + "\n"), "error", "error", "error", "error")
    every("row with a missing field", csv("\n".join(lines[:4] + [lines[4].rsplit(",", 2)[0]] + lines[5:]) + "\n"), "error", "error", "error", "error")
    every("unbalanced quote", csv("\n".join(lines[:4] + ['"' + lines[4]] + lines[5:]) + "\n"), "error", "error", "error", "error")
    every("no feature column", csv(f[["id", "tags"]]), "error", "error", "error", "error")
    every("non-existent path", ws.new(".csv"), "error", "error", "error", "error")
    directory = ws.new(".csv")
    directory.mkdir()
    every("directory as data file", directory, "error", "error", "error", "error")
    every("unsupported extension", csv(f, ".txt"), "error", "error", "error", "error")

    # predictions must not depend on column order, nor on columns the model does not use
    cases.append(Case("predict/reference", predict_argv(ws, csv(f)), "success", rows=n))
    cases.append(Case("predict/reordered columns", predict_argv(ws, csv(f[f.columns[::-1]])), "success", rows=n, same_as="predict/reference"))
    cases.append(Case("predict/extra column", predict_argv(ws, csv(f.assign(extra=1.0))), "success", rows=n, same_as="predict/reference"))
    cases.append(Case("predict/missing feature column", predict_argv(ws, csv(f.drop(columns="f2"))), "error"))
    renamed = f.rename(columns=dict(zip(FEATURES, FEATURES[1:] + FEATURES[:1])))
    cases.append(Case("predict/shuffled header", predict_argv(ws, csv(renamed)), "any", rows=n))
    cases.append(Case("fit/label column missing", fit_argv(ws, csv(f.drop(columns="tags"))), "error"))
    cases.append(Case("fit/no label option", fit_argv(ws, csv(f), label=[]), "error"))
    return cases


def parquet_cases(ws: Workspace, with_cluster: bool) -> list[Case]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    f = ws.frame
    lists = f.assign(tags=[t.split("|") for t in f["tags"]])
    cases: list[Case] = []

    def arrow(table: pa.Table) -> Path:
        path = ws.new(".parquet")
        pq.write_table(table, path)
        return path

    def add(name: str, path: Path, fit: str, predict: str, rows: int | None = None) -> None:
        cases.append(Case(f"fit/parquet {name}", fit_argv(ws, path), fit))
        cases.append(Case(f"predict/parquet {name}", predict_argv(ws, path), predict, rows=rows))
        if with_cluster:
            cases.append(Case(f"cluster/parquet {name}", cluster_argv(ws, path), "any"))

    n = len(f)
    add("valid list column", write_parquet(lists, ws.new(".parquet")), "success", "success", rows=n)
    nulls = pa.table({"id": f["id"].to_numpy(), **{c: f[c].to_numpy() for c in FEATURES}, "tags": pa.array([None] * n, type=pa.list_(pa.string()))})
    add("list column of nulls", arrow(nulls), "error", "success", rows=n)
    some_null = lists.copy()
    some_null.at[4, "tags"] = None
    add("list column with a null row", write_parquet(some_null, ws.new(".parquet")), "error", "success", rows=n)
    null_item = lists.copy()
    null_item.at[4, "tags"] = ["a", None]
    add("list holding a null", write_parquet(null_item, ws.new(".parquet")), "error", "success", rows=n)
    add("zero rows", write_parquet(lists.head(0), ws.new(".parquet")), "error", "error")
    dup = pa.Table.from_arrays([pa.array(f["f0"]), pa.array(f["f1"]), pa.array(f["f2"]), pa.array(lists["tags"])], names=["f0", "f0", "f2", "tags"])
    add("duplicate column names", arrow(dup), "error", "error")
    text = lists.astype({"f1": str})
    add("feature stored as text", write_parquet(text, ws.new(".parquet")), "error", "error")
    nan = lists.copy()
    nan.loc[2, "f3"] = np.nan
    add("NaN feature", write_parquet(nan, ws.new(".parquet")), "error", "error")
    ints = lists.assign(f0=np.arange(n))
    add("integer feature", write_parquet(ints, ws.new(".parquet")), "success", "success", rows=n)
    return cases


def npz_cases(ws: Workspace) -> list[Case]:
    f = ws.frame
    X = f[FEATURES].to_numpy()
    Y = np.array([[label in t.split("|") for label in LABELS] for t in f["tags"]], dtype=np.int64)
    npz = lambda **a: write_npz(a.pop("X", X), ws.new(".npz"), **a)  # noqa: E731
    n = len(X)
    cases = [
        Case("fit/npz valid", fit_argv(ws, npz(Y=Y), label=[]), "success"),
        Case("fit/npz y one label per row", fit_argv(ws, npz(y=np.array(["a", "b"] * (n // 2))), label=[]), "success"),
        Case("fit/npz NaN in X", fit_argv(ws, npz(X=np.where(np.eye(n, 4, dtype=bool), np.nan, X), Y=Y), label=[]), "error"),
        Case("fit/npz 1-D X", fit_argv(ws, npz(X=X[:, 0], Y=Y), label=[]), "error"),
        Case("fit/npz 3-D X", fit_argv(ws, npz(X=X.reshape(n, 2, 2), Y=Y), label=[]), "error"),
        Case("fit/npz Y not 0/1", fit_argv(ws, npz(Y=Y * 2), label=[]), "error"),
        Case("fit/npz Y wrong rows", fit_argv(ws, npz(Y=Y[:-1]), label=[]), "error"),
        Case("fit/npz no X", fit_argv(ws, write_npz_without_x(ws, Y), label=[]), "error"),
        Case("fit/npz no labels", fit_argv(ws, npz(), label=[]), "error"),
        Case("fit/npz object array", fit_argv(ws, npz(X=X.astype(object), Y=Y), label=[]), "error"),
        Case("fit/npz string X", fit_argv(ws, npz(X=X.astype(str), Y=Y), label=[]), "error"),
        Case("fit/npz empty X", fit_argv(ws, npz(X=np.zeros((0, 4)), Y=np.zeros((0, 3))), label=[]), "error"),
        Case("fit/npz label column option", fit_argv(ws, npz(Y=Y)), "error"),
    ]
    return cases


def write_npz_without_x(ws: Workspace, Y: np.ndarray) -> Path:
    path = ws.new(".npz")
    with open(path, "wb") as fh:
        np.savez(fh, Y=Y)
    return path


def model_cases(ws: Workspace) -> list[Case]:
    """Broken model directories: every one must be refused by predict."""
    data = write_bytes(ws, csv_text(ws.frame).encode(), ".csv")
    cases: list[Case] = []

    def broken(name: str, damage: Callable[[Path], None]) -> None:
        model = ws.new("-model")
        shutil.copytree(ws.model, model)
        damage(model)
        cases.append(Case(f"predict/model {name}", predict_argv(ws, data, model), "error"))

    def flip(path: Path, offset: int = -9) -> None:
        data = bytearray(path.read_bytes())
        data[offset] ^= 0x01
        path.write_bytes(bytes(data))

    def edit_json(name: str, change: Callable[[dict], None]) -> Callable[[Path], None]:
        def damage(model: Path) -> None:
            obj = json.loads((model / name).read_text())
            change(obj)
            (model / name).write_text(json.dumps(obj))
        return damage

    broken("flipped weight byte", lambda m: flip(m / "weights.safetensors"))
    broken("truncated weights", lambda m: (m / "weights.safetensors").write_bytes((m / "weights.safetensors").read_bytes()[:100]))
    broken("manifest removed", lambda m: (m / "manifest.json").unlink())
    broken("weights removed", lambda m: (m / "weights.safetensors").unlink())
    broken("extra pickle file", lambda m: (m / "model.pkl").write_bytes(b"\x80\x04K\x01."))
    broken("newer format version", edit_json("manifest.json", lambda o: o.update(format_version=99)))
    broken("edited config", edit_json("config.json", lambda o: o["params"].update(hidden_sizes=[9])))
    broken("edited fit config", edit_json("fit_config.json", lambda o: o.update(task="positive-only")))
    broken("unknown estimator", edit_json("manifest.json", lambda o: o.update(estimator="os.system")))
    broken("manifest not JSON", lambda m: (m / "manifest.json").write_text("{not json"))
    broken("empty directory", lambda m: [p.unlink() for p in m.iterdir()])
    missing = ws.new("-model")
    cases.append(Case("predict/model does not exist", predict_argv(ws, data, missing), "error"))
    file_model = write_bytes(ws, b"{}", ".json")
    cases.append(Case("predict/model is a file", predict_argv(ws, data, file_model), "error"))
    cases.append(Case("predict/output extension .txt", ["predict", str(ws.model), str(data), "--out", str(ws.new(".txt")), "-q"], "error"))
    occupied = ws.new("-occupied")
    occupied.mkdir()
    (occupied / "notes.txt").write_text("mine")
    cases.append(Case("fit/out is a non-model directory", ["fit", str(data), "--out", str(occupied), "--label-column", "tags", *FIT], "error"))
    return cases


def task_cases(ws: Workspace) -> list[Case]:
    """The other label tasks' own failure modes: one class, rows without a label, several labels per row."""
    from weaklabel.tasks import TASKS

    f = ws.frame
    single = f.assign(tags=[t.split("|")[0] for t in f["tags"]])
    inputs = {
        "one label per row": (single, {"positive-only": "success", "embedding": "success"}),
        "several labels per row": (f, {"positive-only": "success", "embedding": "error"}),
        "one class": (f.assign(tags="a"), {"positive-only": "error", "embedding": "error"}),
        "rows without a label": (single.assign(tags=["" if i % 3 == 0 else t for i, t in enumerate(single["tags"])]), {"positive-only": "error", "embedding": "error"}),
        "no label at all": (f.assign(tags=""), {"positive-only": "error", "embedding": "error"}),
        "three rows": (single.head(3), {"positive-only": "any", "embedding": "any"}),
    }
    cases = []
    for name, (frame, expect) in inputs.items():
        path = write_bytes(ws, csv_text(frame).encode(), ".csv")
        for task in (t for t in expect if t in TASKS):
            argv = ["fit", str(path), "--out", str(ws.new("-model")), "--label-column", "tags", "--task", task, *TASK_FIT]
            cases.append(Case(f"fit/{task} {name}", argv, expect[task]))
    return cases


def option_cases(ws: Workspace) -> list[Case]:
    """Absurd option values: each must be refused with a clear message."""
    data = write_bytes(ws, csv_text(ws.frame).encode(), ".csv")
    bad = [
        ["--epochs", "0"], ["--batch-size", "0"], ["--learning-rate", "-1"], ["--threshold", "2"],
        ["--hidden-sizes", "0"], ["--param", "loss=nope"], ["--param", "nonsense=1"], ["--task", "nope"],
        ["--epochs", "many"], ["--param", "dropout=2"], ["--label-sep", ""], ["--features", "f0,nope"],
        ["--checkpoint-every", "0", "--checkpoint-dir", str(ws.new("-ckpt"))], ["--resume"],
    ]
    return [Case(f"fit/option {' '.join(o)[:40]}", [*fit_argv(ws, data), *o], "error") for o in bad]


# --------------------------------------------------------------------------- random mutations


def mutate_bytes(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    kind = rng.choice(["flip", "truncate", "insert", "delete"])
    b = bytearray(data)
    if kind == "flip":
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        b = b[: rng.randrange(len(b))]
    elif kind == "insert":
        pos = rng.randrange(len(b))
        b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    else:
        pos = rng.randrange(len(b))
        del b[pos : pos + rng.randint(1, 64)]
    return kind, bytes(b)


def mutate_table(frame: pd.DataFrame, rng: random.Random) -> tuple[str, str]:
    """A CSV text with one structural or cell-level mutation."""
    kind = rng.choice(["cell", "cells", "shuffle header", "drop line", "duplicate line", "blank lines", "huge", "swap columns"])
    f = frame.astype(object).copy()
    if kind in ("cell", "cells"):
        for _ in range(1 if kind == "cell" else rng.randint(2, 10)):
            f.iat[rng.randrange(len(f)), rng.randrange(f.shape[1])] = rng.choice(GARBAGE)
    elif kind == "shuffle header":
        names = list(f.columns)
        rng.shuffle(names)
        f.columns = names
    elif kind == "huge":
        f.iat[rng.randrange(len(f)), rng.randrange(1, 1 + len(FEATURES))] = rng.choice([1e38, 3.5e38, 1e300, -1e300, 5e-324])
    elif kind == "swap columns":
        cols = list(f.columns)
        i, j = rng.sample(range(len(cols)), 2)
        cols[i], cols[j] = cols[j], cols[i]
        f = f[cols]
    text = csv_text(f)
    lines = text.splitlines()
    if kind == "drop line":
        del lines[rng.randrange(len(lines))]
    elif kind == "duplicate line":
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif kind == "blank lines":
        for _ in range(rng.randint(1, 5)):
            lines.insert(rng.randrange(len(lines) + 1), "")
    return kind, "\n".join(lines) + "\n"


def random_cases(ws: Workspace, n: int, rng: random.Random, with_cluster: bool) -> list[Case]:
    f = ws.frame
    bases = {
        ".csv": csv_text(f).encode(),
        ".parquet": write_parquet(f.assign(tags=[t.split("|") for t in f["tags"]]), ws.new(".parquet")).read_bytes(),
        ".npz": write_npz(f[FEATURES].to_numpy(), ws.new(".npz"), Y=np.ones((len(f), 2), dtype=np.int64)).read_bytes(),
    }
    commands = ["fit", "predict", "evaluate"] + (["cluster"] if with_cluster else [])
    cases = []
    for i in range(n):
        suffix = rng.choice([".csv", ".csv", ".parquet", ".npz"])
        if suffix == ".csv" and rng.random() < 0.5:
            kind, text = mutate_table(f, rng)
            data = text.encode("utf-8")
        else:
            kind, data = mutate_bytes(bases[suffix], rng)
        path = write_bytes(ws, data, suffix)
        command = rng.choice(commands if suffix != ".npz" else ["fit", "cluster"] if with_cluster else ["fit"])
        label = [] if suffix == ".npz" else None
        argv = {
            "fit": lambda: fit_argv(ws, path, label),
            "predict": lambda: predict_argv(ws, path),
            "evaluate": lambda: evaluate_argv(ws, path),
            "cluster": lambda: cluster_argv(ws, path),
        }[command]()
        cases.append(Case(f"{command}/random {suffix} {kind} #{i}", argv, "any", rows=expected_rows(path)))
    return cases


def expected_rows(path: Path) -> int | None:
    """Rows of the file by an independent strict reader, or None when it cannot tell."""
    try:
        if path.suffix == ".csv":
            frame = pd.read_csv(path, on_bad_lines="error", encoding="utf-8", skip_blank_lines=True)
            return len(frame)
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            return pq.read_metadata(path).num_rows
    except Exception:  # noqa: BLE001 - an unreadable file has no expected row count
        return None
    return None


# --------------------------------------------------------------------------- running


def run_case(case: Case) -> Outcome:
    from weaklabel.cli import main

    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = main(case.argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    except BaseException as exc:  # noqa: BLE001 - anything escaping main is what we count
        if isinstance(exc, KeyboardInterrupt):
            raise
        return Outcome(case, "traceback", "".join(traceback.format_exception_only(type(exc), exc)).strip())
    lines = [line for line in err.getvalue().splitlines() if line.strip()]
    error_line = next((line for line in lines if line.startswith("weaklabel") and "error:" in line), "")
    if code == 2 and error_line:
        return Outcome(case, "error", error_line)
    if code == 0:
        return Outcome(case, "success")
    return Outcome(case, "unclear", f"exit {code}: {' / '.join(lines[-3:])}")


def check(outcome: Outcome, predictions: dict[str, pd.DataFrame]) -> str | None:
    """Why a run's result is silently wrong, or None."""
    case = outcome.case
    if outcome.kind != "success":
        return None
    if case.expect == "error":
        return "succeeded on an input that must be refused"
    command = case.argv[0]
    out = Path(case.argv[case.argv.index("--out") + 1])
    if command in ("fit", "cluster"):
        from weaklabel import load

        try:
            load(out)
        except Exception as exc:  # noqa: BLE001
            return f"saved a model that load refuses: {exc}"
    if command == "predict":
        frame = pd.read_csv(out)
        predictions[case.name] = frame
        if case.rows is not None and len(frame) != case.rows:
            return f"predictions have {len(frame)} rows, the input {case.rows}"
        if frame.filter(like="score_").isna().any().any():
            return "predictions hold NaN scores"
        if case.same_as is not None and case.same_as in predictions:
            reference = predictions[case.same_as]
            if not reference.drop(columns="id", errors="ignore").equals(frame.drop(columns="id", errors="ignore")):
                return f"predictions differ from {case.same_as!r}"
    return None


def build_workspace(root: Path) -> Workspace:
    from weaklabel.cli import main

    ws = Workspace(root=root, frame=base_frame())
    train = write_bytes(ws, csv_text(ws.frame).encode(), ".csv")
    ws.model = ws.new("-base-model")
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["fit", str(train), "--out", str(ws.model), "--label-column", "tags", "--id-column", "id", *FIT]) == 0
    return ws


def cluster_available() -> bool:
    from weaklabel.tasks import TASKS

    return "self-supervised" in TASKS


def structured_cases(ws: Workspace, with_cluster: bool) -> list[Case]:
    """Every hand-written case: the inputs of issue 7, Parquet, npz, model directories, tasks, options."""
    cases = table_cases(ws, with_cluster) + parquet_cases(ws, with_cluster) + npz_cases(ws) + model_cases(ws)
    return cases + task_cases(ws) + option_cases(ws)


def generate(ws: Workspace, n: int, seed: int, with_cluster: bool) -> list[Case]:
    """The structured cases, then random mutations up to ``n`` in all."""
    cases = structured_cases(ws, with_cluster)
    return cases + random_cases(ws, max(0, n - len(cases)), random.Random(seed), with_cluster)


def run(cases: list[Case]) -> list[Outcome]:
    predictions: dict[str, pd.DataFrame] = {}
    outcomes = []
    for case in cases:
        outcome = run_case(case)
        outcome.wrong = check(outcome, predictions)
        outcomes.append(outcome)
    return outcomes


def summarize(outcomes: list[Outcome]) -> dict[str, int]:
    counts = Counter(o.kind for o in outcomes)
    return {
        "cases": len(outcomes),
        "tracebacks": counts["traceback"],
        "clear errors": counts["error"],
        "successes": counts["success"],
        "unclear exits": counts["unclear"],
        "silently wrong": sum(o.wrong is not None for o in outcomes),
        "valid inputs refused": sum(o.kind == "error" and o.case.expect == "success" for o in outcomes),
    }


def write_report(outcomes: list[Outcome], args: argparse.Namespace, seconds: float, with_cluster: bool) -> Path:
    summary = summarize(outcomes)
    by_command = Counter((o.case.argv[0], o.kind) for o in outcomes)
    commands = sorted({o.case.argv[0] for o in outcomes})
    lines = [
        "# CLI robustness (fuzz) run",
        "",
        f"Command: `OMP_NUM_THREADS=1 python benchmarks/fuzz_cli.py --n {args.n} --seed {args.seed}` "
        f"({seconds:.0f} s). Commands fuzzed: {', '.join(commands)}"
        + ("" if with_cluster else " (cluster left out: the self-supervised task is not registered)") + ".",
        "",
        "| outcome | count |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in summary.items()],
        "",
        "| command | " + " | ".join(("traceback", "error", "success", "unclear")) + " |",
        "|---|---|---|---|---|",
        *[f"| {c} | " + " | ".join(str(by_command[(c, k)]) for k in ("traceback", "error", "success", "unclear")) + " |" for c in commands],
        "",
    ]
    problems = [o for o in outcomes if o.kind in ("traceback", "unclear") or o.wrong or (o.kind == "error" and o.case.expect == "success")]
    if problems:
        lines += ["## Problems", "", "| case | outcome | detail |", "|---|---|---|"]
        lines += [f"| {o.case.name} | {o.kind} | {(o.wrong or o.message).replace('|', '/')[:200]} |" for o in problems]
        lines.append("")
    structured = [o for o in outcomes if "/random" not in o.case.name]
    lines += ["## Structured cases", "", "| case | expected | outcome | message |", "|---|---|---|---|"]
    lines += [f"| {o.case.name} | {o.case.expect} | {o.kind} | {o.message.replace('|', '/')[:160]} |" for o in structured]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return REPORT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=240, help="number of cases (at least the structured ones)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    logging.getLogger("weaklabel").setLevel(logging.ERROR)
    start = time.perf_counter()
    with_cluster = cluster_available()
    with tempfile.TemporaryDirectory(prefix="weaklabel-fuzz-") as tmp:
        ws = build_workspace(Path(tmp))
        outcomes = run(generate(ws, args.n, args.seed, with_cluster))
    report = write_report(outcomes, args, time.perf_counter() - start, with_cluster)
    summary = summarize(outcomes)
    print("\n".join(f"{k}: {v}" for k, v in summary.items()))
    print(f"report: {report}")
    return 0 if summary["tracebacks"] == summary["silently wrong"] == summary["unclear exits"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
