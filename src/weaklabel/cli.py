"""The ``weaklabel`` command: fit, cluster, predict, evaluate, demo, datasets, bench.

Options come from flags or a YAML file (``--config``); flags win. The
resolved configuration is saved in the model directory as ``fit_config.json``.
Errors a user can cause are printed as one line (``weaklabel: error: …``)
with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import yaml

from ._version import __version__
from .data._messages import list_names
from .exceptions import InputError, WeaklabelError

if TYPE_CHECKING:
    import numpy as np

    from .data.sources import ChunkedSource

logger = logging.getLogger("weaklabel")

STREAM_MIN_BYTES = 2 << 30  # `weaklabel fit` streams .parquet/.npz files from this size on
DATA_KEYS = ("features", "feature_prefix", "label_column", "label_columns", "label_prefix", "label_sep", "id_column")
# data options that an empty flag clears at predict/evaluate (a file without the id or label column of the fit's;
# --label-column '' clears the whole label group, as any label flag replaces it)
CLEARABLE_DATA_KEYS = ("id_column", "label_column")
# data options that choose the same columns in different ways: a file is read with one of each group
DATA_KEY_GROUPS = (("features", "feature_prefix"), ("label_column", "label_columns", "label_prefix"))
# flag destination → estimator parameter
PARAM_FLAGS = {
    "loss": "loss",
    "threshold": "threshold",
    "epochs": "max_epochs",
    "batch_size": "batch_size",
    "learning_rate": "learning_rate",
    "hidden_sizes": "hidden_sizes",
    "seed": "random_state",
    "device": "device",
}


def _csv_list(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _int_list(text: str) -> list[int]:
    try:
        return [int(t) for t in _csv_list(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


class _ConfigLoader(yaml.SafeLoader):
    """PyYAML's safe loader, plus YAML 1.2's exponent floats: ``1e-3`` and ``5E4`` are numbers, not text
    (PyYAML follows YAML 1.1, whose floats need a dot and a signed exponent); and Python's ``None`` is
    YAML's ``null``, as the parameter docs write it (``patience=None``)."""


_ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+$"), list("-+0123456789.")
)


_ConfigLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^None$"), ["N"])


def _yaml(text: str) -> Any:
    """``text`` parsed as YAML for a config file or a ``--param`` value."""
    return yaml.load(text, Loader=_ConfigLoader)  # noqa: S506 - a SafeLoader subclass


def _threshold(text: str) -> float | str:
    if text == "tune":
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"threshold must be a number or 'tune', got {text!r}") from None


def _key_value(text: str) -> tuple[str, Any]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"--param takes KEY=VALUE, got {text!r}")
    key, value = text.split("=", 1)
    try:
        return key.strip(), _yaml(value)
    except yaml.YAMLError:
        return key.strip(), value


def _add_data_flags(p: argparse.ArgumentParser, labels: bool = True, saved: bool = False) -> None:
    """The column flags; ``saved``: a fitted model's command, whose columns default to those used at fit."""
    if saved:
        g = p.add_argument_group("data columns", "default: the options the model was fitted with (saved in it); a flag replaces its group")
        features_default = "the feature columns used at fit"
    else:
        g = p.add_argument_group("data columns")
        features_default = "every numeric column"
    g.add_argument("--features", type=_csv_list, help=f"comma-separated feature columns (default: {features_default})")
    g.add_argument("--feature-prefix", help="use the columns whose names start with this prefix as features")
    clear = " ('' for none, in place of the saved one)" if saved else ""
    g.add_argument("--id-column", help=f"column copied to the predictions to identify rows{clear}")
    if labels:
        g.add_argument("--label-column", help=f"one column holding each row's labels (a list, a list as text such as ['a', 'b'], or a delimited string){clear}")
        g.add_argument("--label-columns", type=_csv_list, help="comma-separated 0/1 label columns")
        g.add_argument("--label-prefix", help="0/1 label columns are those whose names start with this prefix")
        g.add_argument("--label-sep", help="separator inside a delimited label column (default '|')")


def build_parser() -> argparse.ArgumentParser:
    from .tasks import TASKS

    parser = argparse.ArgumentParser(prog="weaklabel", description="Train classifiers when labels are weak.")
    parser.add_argument("--version", action="version", version=f"weaklabel {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    fit = sub.add_parser("fit", help="train a model on a CSV/Parquet/NumPy file and save it")
    fit.add_argument("data", help="training data: .csv, .tsv, .parquet, .npy or .npz")
    fit.add_argument("--out", required=True, help="directory to write the model to")
    fit.add_argument("--config", help="YAML file with task, data and params sections; flags override it")
    fit.add_argument("--task", choices=sorted(TASKS), help="what to learn (default: multilabel)")
    _add_data_flags(fit)
    g = fit.add_argument_group("model")
    g.add_argument("--loss", help="loss name (see the task's estimator)")
    g.add_argument("--threshold", type=_threshold, help="decision threshold, or 'tune'")
    g.add_argument("--epochs", type=int, help="maximum number of epochs")
    g.add_argument("--batch-size", type=int)
    g.add_argument("--learning-rate", type=float)
    g.add_argument("--hidden-sizes", type=_int_list, help="comma-separated hidden layer sizes, e.g. 512,512")
    g.add_argument("--seed", type=int, help="random_state")
    g.add_argument("--device", help="auto, cpu or cuda")
    g.add_argument("--param", type=_key_value, action="append", default=[], metavar="KEY=VALUE", help="any estimator parameter; repeatable")
    _add_checkpoint_flags(fit)
    stream = fit.add_mutually_exclusive_group()
    stream.add_argument(
        "--stream",
        action="store_true",
        help=f"train from the file chunk by chunk (.parquet or uncompressed .npz, multilabel task, 0/1 label columns); "
        f"automatic for files of {STREAM_MIN_BYTES >> 30} GiB or more",
    )
    stream.add_argument(
        "--no-stream",
        action="store_true",
        help=f"read the file into memory even when it is {STREAM_MIN_BYTES >> 30} GiB or more",
    )
    _add_verbosity(fit)

    cl = sub.add_parser("cluster", help="learn classes from unlabelled data (self-supervised) and save the model")
    cl.add_argument("data", help="data: .csv, .tsv, .parquet, .npy or .npz")
    cl.add_argument("--out", required=True, help="directory to write the model to")
    cl.add_argument("--n-classes", type=int, help="number of classes to learn")
    cl.add_argument("--assignments", help="also write each row's class and class probabilities to this .csv/.parquet")
    cl.add_argument("--config", help="YAML file with data and params sections; flags override it")
    _add_data_flags(cl, labels=False)
    g = cl.add_argument_group("model")
    g.add_argument("--epochs", type=int, help="maximum number of epochs")
    g.add_argument("--seed", type=int, help="random_state")
    g.add_argument("--device", help="auto, cpu or cuda")
    g.add_argument("--param", type=_key_value, action="append", default=[], metavar="KEY=VALUE", help="any estimator parameter; repeatable")
    _add_checkpoint_flags(cl)
    _add_verbosity(cl)

    pred = sub.add_parser("predict", help="write per-label scores and predicted labels for a file")
    pred.add_argument("model", help="model directory written by 'weaklabel fit'")
    pred.add_argument("data", help="data file with the same feature columns as at fit")
    pred.add_argument("--out", required=True, help="output file: .csv or .parquet")
    _add_data_flags(pred, labels=False, saved=True)
    pred.add_argument("--label-sep", default="|", help="separator of the predicted label set column")
    _add_inference_device(pred)
    _add_verbosity(pred)

    ev = sub.add_parser("evaluate", help="metrics table and figures on a labelled file")
    ev.add_argument("model", help="model directory written by 'weaklabel fit'")
    ev.add_argument("data", help="labelled data file")
    ev.add_argument("--out", help="report directory (default: <model>/../<model name>-evaluation)")
    _add_data_flags(ev, saved=True)
    _add_inference_device(ev)
    _add_verbosity(ev)

    demo = sub.add_parser("demo", help="run the built-in scenarios and write a report")
    demo.add_argument("--out", default="weaklabel-report", help="report directory (default: weaklabel-report)")
    demo.add_argument("--only", action="append", help="run only this scenario (repeatable)")
    _add_verbosity(demo)

    _add_datasets_parser(sub)

    bench = sub.add_parser("bench", help="run a benchmark suite and write its results table")
    bench.add_argument("suite", help="suite name (e.g. multilabel)")
    bench.add_argument("--out", default="benchmarks/results", help="results directory")
    bench.add_argument("--quick", action="store_true", help="smaller run for a smoke test")
    _add_verbosity(bench)
    return parser


_DATASETS_EPILOG = """examples:
  weaklabel datasets list
  weaklabel datasets info yeast
  weaklabel datasets export yeast yeast.parquet                  # every row, with a 'split' column
  weaklabel datasets export yeast yeast-train.parquet --subset train
  weaklabel datasets export yeast yeast-test.csv --subset test
  weaklabel fit yeast-train.parquet --label-column labels --out yeast-model/
  weaklabel evaluate yeast-model/ yeast-test.csv
"""


def _add_datasets_parser(sub: Any) -> None:
    """``weaklabel datasets list | info NAME | export NAME FILE``: the standard sets shipped with weaklabel."""
    from .datasets import list_datasets

    names = ", ".join(list_datasets())
    p = sub.add_parser(
        "datasets",
        help="list, describe or export the standard multi-label sets shipped with weaklabel",
        description=f"The standard multi-label sets shipped with weaklabel ({names}), checked against their SHA-256 on load.",
        epilog=_DATASETS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="datasets_command", required=True, metavar="{list,info,export}")
    _add_verbosity(actions.add_parser("list", help="one line per set: items, features, labels, split"))
    info = actions.add_parser("info", help="a set's description, split, label names and citation")
    info.add_argument("name", metavar="NAME", help=f"one of: {names}")
    _add_verbosity(info)
    export = actions.add_parser(
        "export",
        help="write a set as a table: features x0, x1, ..., the label set of each row in 'labels'",
        epilog=_DATASETS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument("name", metavar="NAME", help=f"one of: {names}")
    export.add_argument("out", metavar="FILE", help="output table: .csv, .tsv or .parquet (written whole or not at all)")
    export.add_argument(
        "--subset",
        default="all",
        help="all (default; adds a 'split' column, train or test per row), train or test: the source's split for "
        "yeast and scene, a fixed seed-0 80/20 split for the others",
    )
    _add_verbosity(export)


def _add_checkpoint_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("checkpoints")
    g.add_argument("--checkpoint-dir", help="write a training checkpoint to this directory (crash-safe)")
    g.add_argument("--checkpoint-every", type=int, default=1, metavar="N", help="epochs between checkpoints (default 1)")
    g.add_argument("--resume", action="store_true", help="continue from the checkpoint in --checkpoint-dir, if there is one")


def _refuse_writing_into_model(path: str | Path, flag: str, model_out: str | None = None) -> None:
    """Refuse an output ``path`` that is or lies inside a saved model, or inside ``model_out`` (the model this
    command saves): a model directory holds only its own files, and any other file makes it fail to load."""
    from .persistence import enclosing_model

    model = enclosing_model(path)
    resolved = Path(path).resolve()
    if model is None and model_out is not None and Path(model_out).resolve() in (resolved, *resolved.parents):
        model = Path(model_out)
    if model is not None:
        raise InputError(
            f"{flag} {path} writes into the model directory {model}, which would then fail to load "
            "(it holds only the model's own files); choose a path outside it"
        )


def _set_checkpointing(args: argparse.Namespace, estimator: Any) -> None:
    """``--checkpoint-dir``/``--checkpoint-every``/``--resume`` applied to ``estimator``, checked first."""
    if args.resume and not args.checkpoint_dir:
        raise InputError("--resume needs --checkpoint-dir (the directory the interrupted run wrote its checkpoint to)")
    if args.checkpoint_dir:
        _refuse_writing_into_model(args.checkpoint_dir, "--checkpoint-dir", model_out=args.out)
        estimator.set_checkpointing(args.checkpoint_dir, every=args.checkpoint_every, resume=args.resume)


def _add_inference_device(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", help="auto, cpu or cuda (default: the device the model was fitted with)")


def _add_verbosity(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.add_argument("-v", "--verbose", action="store_true", help="log details")


def _load_yaml(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    file = Path(path)
    if not file.is_file():
        raise InputError(f"config file {file} does not exist or is not a file")
    try:
        config = _yaml(file.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"config file {file} is not valid YAML: {exc}") from None
    if not isinstance(config, dict) or set(config) - {"task", "data", "params"}:
        raise InputError(f"config file {file} must be a mapping with sections task, data and params")
    for section in ("data", "params"):
        if not isinstance(config.get(section, {}), dict):
            raise InputError(f"config file {file}: section {section!r} must be a mapping")
    unknown = set(config.get("data", {})) - set(DATA_KEYS)
    if unknown:
        raise InputError(f"config file {file}: unknown data keys {sorted(unknown)}; valid: {list(DATA_KEYS)}")
    if config.get("task") is not None and not isinstance(config["task"], str):
        raise InputError(f"config file {file}: task must be a name such as multilabel, got {config['task']!r}")
    config["data"] = {key: _yaml_data_value(file, key, value) for key, value in config.get("data", {}).items()}
    return config


#: data options that name several columns (a YAML list); the others name one column or give one text
LIST_DATA_KEYS = ("features", "label_columns")


def _yaml_data_value(file: Path, key: str, value: Any) -> Any:
    """A YAML data option as the matching flag gives it: text, a list of texts for ``features``/``label_columns``;
    None leaves the option unset. A number is refused, not turned back into text: YAML has already changed what
    was written (``2020.10`` → 2020.1, ``010`` → 8, ``12:30`` → 750), so its text may name another column."""

    def text(item: Any) -> str:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            raise InputError(
                f"config file {file}: data.{key} holds the number {item!r}; quote column names that look like numbers "
                "(e.g. '2020'), since YAML reads them as numbers"
            )
        if not isinstance(item, str):
            raise InputError(f"config file {file}: data.{key} must give column names or text, got {item!r}")
        return item

    if value is None:
        return None
    if key in LIST_DATA_KEYS:
        if not isinstance(value, list):
            raise InputError(f"config file {file}: data.{key} must be a list of column names, e.g. [a, b]; got {value!r}")
        return [text(item) for item in value]
    return text(value)


def _data_flags(args: argparse.Namespace, labels: bool = True) -> dict[str, Any]:
    """The data options given as flags (without the label ones unless ``labels``)."""
    return {
        key: getattr(args, key)
        for key in DATA_KEYS
        if getattr(args, key, None) is not None and (labels or not key.startswith("label"))
    }


def _override(data: dict[str, Any], flags: dict[str, Any]) -> dict[str, Any]:
    """``data`` updated with ``flags``; a flag replaces every option of its group in ``data`` (``--feature-prefix``
    replaces ``features``), while two flags of one group still conflict when the file is read."""
    replaced = {key for flag in flags for group in DATA_KEY_GROUPS if flag in group for key in group}
    return {**{k: v for k, v in data.items() if k not in replaced}, **flags}


def _note_default_features(path: str, data: dict[str, Any], names: list[str], features: "np.ndarray | None") -> None:
    """When fit or cluster chose a table's features (every numeric column), say which, and warn about a column
    that counts the rows (once, on the first torchrun process)."""
    import numpy as np

    from .data.readers import TABLE_FORMATS
    from .runtime import distributed

    named = data.get("features") is not None or data.get("feature_prefix") is not None
    if named or Path(path).suffix.lower() not in TABLE_FORMATS or distributed.launch_rank() != 0:
        return  # array files have no columns to name; their features are always every column
    shown = ", ".join(names[:10]) + (f", … ({len(names) - 10} more)" if len(names) > 10 else "")
    print(f"{path}: features = every numeric column ({len(names)}): {shown}")
    for j, name in enumerate(names if features is not None and len(features) > 2 else ()):
        steps = np.diff(features[:, j])
        if (steps == 1).all():
            logger.warning(
                "%s: feature column %r counts the rows (%g, %g, …), like a row id; pass --id-column %s to leave it out "
                "(or name the features with --features)", path, name, features[0, j], features[1, j], name,
            )


def _record_features(data: dict[str, Any], names: list[str]) -> None:
    """Save the feature columns fit used as ``features`` (in place of a ``feature_prefix``): predict reads the same."""
    data.pop("feature_prefix", None)
    data["features"] = names


def resolve_fit_config(args: argparse.Namespace) -> dict[str, Any]:
    """Defaults < YAML < flags: ``{"task", "data", "params"}``."""
    config = _load_yaml(getattr(args, "config", None))
    task = getattr(args, "task", None) or config.get("task") or "multilabel"
    data = _override(dict(config.get("data", {})), _data_flags(args))
    params = dict(config.get("params", {}))
    for flag, param in PARAM_FLAGS.items():
        value = getattr(args, flag, None)
        if value is not None:
            params[param] = value
    params.update(dict(getattr(args, "param", [])))
    if getattr(args, "quiet", False):
        params["verbose"] = 0
    return {"task": task, "data": data, "params": params}


def _read(path: str, data: dict[str, Any], require_labels: bool) -> Any:
    from .data.readers import read_table
    from .runtime import distributed

    table = read_table(path, require_labels=require_labels, **{k: v for k, v in data.items() if v is not None})
    if table.ignored_columns and distributed.launch_rank() == 0:  # once, not once per torchrun process
        logger.warning("%s: non-numeric columns left out of the features: %s", path, ", ".join(table.ignored_columns))
    return table


def _streams(args: argparse.Namespace, task: str) -> bool:
    """``--stream``, or a big ``.parquet``/``.npz`` for the multilabel task unless ``--no-stream``."""
    path = Path(args.data)
    big = path.suffix.lower() in (".parquet", ".pq", ".npz") and path.is_file() and path.stat().st_size >= STREAM_MIN_BYTES
    if args.stream and task != "multilabel":
        raise InputError(f"--stream supports the multilabel task, not {task!r}")
    return bool(args.stream or (big and task == "multilabel" and not args.no_stream))


def _in_memory_hint(automatic: bool) -> str:
    """How to leave the streaming path: why it was taken when ``automatic`` (no ``--stream``), and ``--no-stream``."""
    if automatic:
        return f"pass --no-stream to read the file into memory (files of {STREAM_MIN_BYTES >> 30} GiB or more are streamed by default)"
    return "pass --no-stream in place of --stream to read the file into memory"


def _open_stream(path: str, data: dict[str, Any], automatic: bool) -> "tuple[ChunkedSource, list[str], list[str]]":
    """:func:`open_table_source` for the data options; a refusal says how to read the file into memory instead."""
    from .data.sources import open_table_source

    if data.get("label_column") is not None:
        raise InputError(
            f"{path}: streaming reads 0/1 label columns, not a column of label sets (label column "
            f"{data['label_column']!r}): write one 0/1 column per label with a common prefix (e.g. genre_comedy, "
            f"genre_drama) and pass --label-prefix genre_, or {_in_memory_hint(automatic)}"
        )
    options = {k: data.get(k) for k in ("features", "feature_prefix", "label_columns", "label_prefix", "id_column")}
    try:
        return open_table_source(path, **options)
    except InputError as exc:
        raise InputError(f"{exc}; alternatively, {_in_memory_hint(automatic)}") from None


def _fit_stream(path: str, data: dict[str, Any], estimator: Any, automatic: bool) -> int:
    from .estimators.streaming import fit_multilabel_stream

    source, feature_names, label_names = _open_stream(path, data, automatic)
    _note_default_features(path, data, feature_names, None)
    _record_features(data, feature_names)
    fit_multilabel_stream(estimator, source, label_names)
    return source.n_rows


def cmd_fit(args: argparse.Namespace) -> int:
    from .persistence import check_model_target, save_model
    from .tasks import get_task
    from .runtime import distributed

    config = resolve_fit_config(args)
    task = get_task(config["task"])
    estimator = task.build(config["params"])  # fail on bad params before reading data
    check_model_target(args.out)
    _set_checkpointing(args, estimator)
    if _streams(args, task.name):
        n_rows = _fit_stream(args.data, config["data"], estimator, automatic=not args.stream)
    else:
        table = _read(args.data, config["data"], require_labels=task.needs_labels)
        _note_default_features(args.data, config["data"], table.feature_names, table.features)
        _record_features(config["data"], table.feature_names)
        task.fit(estimator, table)
        n_rows = len(table.features)
    if distributed.rank() == 0:  # under torchrun every rank holds the same model; one writes it
        save_model(estimator, args.out, extra_json={"fit_config.json": config})
        print(f"saved {type(estimator).__name__} ({task.name}, {n_rows} rows) to {args.out}")
    return 0


def cmd_cluster(args: argparse.Namespace) -> int:
    from .data.readers import check_output_table, write_table
    from .persistence import check_model_target, save_model
    from .tasks import get_task
    from .runtime import distributed

    args.task = "self-supervised"
    config = resolve_fit_config(args)
    if args.n_classes is not None:
        config["params"]["n_classes"] = args.n_classes
    task = get_task(config["task"])
    estimator = task.build(config["params"])
    check_model_target(args.out)
    _set_checkpointing(args, estimator)
    if args.assignments:  # before the fit: a bad name must not leave a saved model and an error
        check_output_table(args.assignments)
        _refuse_writing_into_model(args.assignments, "--assignments", model_out=args.out)
    table = _read(args.data, config["data"], require_labels=False)
    _note_default_features(args.data, config["data"], table.feature_names, table.features)
    _record_features(config["data"], table.feature_names)
    task.fit(estimator, table)
    if distributed.rank() != 0:  # under torchrun every rank holds the same model; one writes the files
        return 0
    save_model(estimator, args.out, extra_json={"fit_config.json": config})
    print(f"saved {type(estimator).__name__} ({len(table.features)} rows) to {args.out}")
    if args.assignments:
        write_table(task.predictions(estimator, table), args.assignments)
        print(f"wrote class assignments to {args.assignments}")
    return 0


def _load_model(path: str, device: str | None) -> tuple[Any, dict[str, Any]]:
    """The model and how it was fitted: ``fit_config.json`` from ``weaklabel fit``, or for a model saved from
    Python its estimator's task and, when it was fitted on named columns, those as the features."""
    from .persistence import load, read_model_dir
    from .tasks import task_of

    estimator = load(path, device=device)
    saved = read_model_dir(path)[3].get("fit_config.json")
    if saved is None:
        names = getattr(estimator, "feature_names_in_", None)
        saved = {"data": {} if names is None else {"features": [str(n) for n in names]}}
    saved.setdefault("task", task_of(estimator).name)
    return estimator, saved


def _data_options(saved: dict[str, Any], args: argparse.Namespace, labels: bool) -> dict[str, Any]:
    """How predict (``labels`` False) or evaluate reads its file: the options saved at fit, each group replaced by a flag given."""
    data = {k: v for k, v in saved.get("data", {}).items() if labels or not k.startswith("label")}
    if "features" in data:  # the columns fit used; an older weaklabel saved its feature_prefix as well
        data.pop("feature_prefix", None)
    flags = _data_flags(args, labels)
    options = {key: value for key, value in _override(data, flags).items() if not (key in CLEARABLE_DATA_KEYS and value == "")}
    if "features" in data and not {"features", "feature_prefix"} & set(flags):  # the fitted columns are read
        _check_not_fitted_features(data["features"], options)
    return options


def _check_not_fitted_features(features: list[str], options: dict[str, Any]) -> None:
    """A column the model was fitted on cannot be this file's label or id column: say so, and how to refit."""
    roles = {"label_column": "label column", "id_column": "id column"}
    named = {str(options[key]): role for key, role in roles.items() if options.get(key) is not None}
    named.update({str(c): "label column" for c in options.get("label_columns") or ()})
    for column in features:
        if column in named:
            refit = f"--id-column {column}" if named[column] == "id column" else "--features naming only the input columns"
            raise InputError(
                f"the model was fitted with column {column!r} as a feature, so it cannot be the {named[column]} here; refit with {refit}"
            )


def _check_fitted_positions(fitted: list[str], read: list[str]) -> None:
    """The model takes its features by position: a fitted column read at another position would stand in for
    another feature (``--features b,a`` for a model fitted on ``a,b``), so refuse it."""
    for position, name in enumerate(read):
        if name in fitted and fitted.index(name) != position:
            raise InputError(
                f"feature column {name!r} is read as feature {position + 1}, but the model was fitted with it as feature "
                f"{fitted.index(name) + 1} (fitted order: {list_names(fitted)}); name the features in the fitted order, "
                "or leave out --features to read the fitted columns by name"
            )


def _saved_column_hint(options: dict[str, Any], flags: dict[str, Any], message: str) -> str:
    """For a read error about the id or label columns the model saved at fit (not flags) that this file lacks:
    how to read it without them (``--id-column ''``; ``--label-column ''`` replaces the whole label group)."""
    saved_id = options.get("id_column") if "id_column" not in flags else None
    if saved_id is not None and (f"id column {saved_id!r} not found" in message or "ids need" in message):
        return f" (the id column {saved_id!r} was saved at fit; --id-column '' reads the file without it)"
    saved_labels = [key for key in DATA_KEY_GROUPS[1] if key in options and not set(DATA_KEY_GROUPS[1]) & set(flags)]
    lacks_labels = "label columns apply to tables" in message or "label prefix" in message or (
        "label column" in message and "not found" in message
    )
    if saved_labels and lacks_labels:
        key = saved_labels[0]
        return f" (the labels were read with the {key.replace('_', ' ')} {options[key]!r} saved at fit; --label-column '' reads the file without it)"
    return ""


def _read_model_input(args: argparse.Namespace, saved: dict[str, Any], labels: bool, require_labels: bool) -> Any:
    """The table predict (``labels`` False) or evaluate reads for a saved model, its features in the fitted order."""
    options = _data_options(saved, args, labels)
    try:
        table = _read(args.data, options, require_labels=require_labels)
    except InputError as exc:
        raise InputError(f"{exc}{_saved_column_hint(options, _data_flags(args, labels), str(exc))}") from None
    fitted = saved.get("data", {}).get("features")
    if fitted is not None:
        _check_fitted_positions([str(name) for name in fitted], [str(name) for name in table.feature_names])
    return table


def cmd_predict(args: argparse.Namespace) -> int:
    from .data.readers import check_output_table, write_table
    from .tasks import get_task

    check_output_table(args.out)
    _refuse_writing_into_model(args.out, "--out")
    if Path(args.out).resolve() == Path(args.data).resolve():
        raise InputError(f"--out {args.out} is the input file; write the predictions to another file")
    estimator, saved = _load_model(args.model, args.device)
    task = get_task(saved["task"])
    table = _read_model_input(args, saved, labels=False, require_labels=False)
    frame = task.predictions(estimator, table, label_sep=args.label_sep)
    write_table(frame, args.out)
    print(f"wrote predictions for {len(frame)} rows to {args.out}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .report import Report, format_table
    from .tasks import get_task

    model = Path(os.path.abspath(args.model))  # "." has no name of its own; a link's folder is the link's
    out = Path(args.out) if args.out else model.parent / f"{model.name}-evaluation"
    _refuse_writing_into_model(out, "--out")
    estimator, saved = _load_model(args.model, args.device)
    task = get_task(saved["task"])
    table = _read_model_input(args, saved, labels=True, require_labels=task.needs_labels)
    report = Report(f"Evaluation of {args.model} on {args.data}")
    rows = task.evaluate(estimator, table, report)
    path = report.write(out)
    print(format_table(rows))
    print(f"report: {path}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .report.demo import run_demo

    run_demo(args.out, only=args.only, verbose=0 if args.quiet else 1)
    return 0


def cmd_datasets(args: argparse.Namespace) -> int:
    from .datasets import load_multilabel
    from .datasets.export import LABEL_COLUMN, export_frame, summary_rows
    from .report import format_table

    if args.datasets_command == "list":
        print(format_table(summary_rows()))
        return 0
    if args.datasets_command == "info":
        data = load_multilabel(args.name)
        print(data.description)
        print(f"labels: {', '.join(data.label_names)}")
        print(f"cite: {data.citation}")
        return 0
    from .data.readers import check_output_table, write_table

    check_output_table(args.out)  # a bad name fails before any work
    _refuse_writing_into_model(args.out, "FILE")
    frame = export_frame(args.name, args.subset)
    write_table(frame, args.out)
    print(f"wrote {args.name} ({args.subset}: {len(frame)} rows, {frame.shape[1] - 1 - (args.subset == 'all')} features) to {args.out}")
    if args.subset != "test":
        print(f"train on it: weaklabel fit {args.out} --label-column {LABEL_COLUMN} --out {args.name}-model/")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import run_suite

    run_suite(args.suite, args.out, quick=args.quick, verbose=0 if args.quiet else 1)
    return 0


COMMANDS = {
    "fit": cmd_fit,
    "cluster": cmd_cluster,
    "predict": cmd_predict,
    "evaluate": cmd_evaluate,
    "demo": cmd_demo,
    "datasets": cmd_datasets,
    "bench": cmd_bench,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with _command_logging(args.verbose):
            code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a reader that closed the pipe early shows up here, not as a traceback at exit
        return code
    except WeaklabelError as exc:
        print(f"weaklabel: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("weaklabel: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `weaklabel evaluate … | head -1`: the work is done, the rest of the output unwanted
        _discard_stdout()
        return 141  # 128 + SIGPIPE, what the shell reports for a program stopped by a closed pipe


@contextmanager
def _command_logging(verbose: bool) -> Iterator[None]:
    """Logging for one command, restored after. Where the process has configured no logging, the ``weaklabel``
    logger prints to stderr at INFO (``-v``) or WARNING; where it has, its handlers and levels apply, and ``-v``
    only lowers the ``weaklabel`` logger to INFO if it sat above. (``logging.basicConfig`` had bound the root
    logger to the first call's stderr for good: an in-process ``main`` took over the caller's logging.)"""
    log = logging.getLogger("weaklabel")
    level, handler = log.level, None
    if not logging.getLogger().handlers and not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO if verbose else logging.WARNING)
    elif verbose and log.getEffectiveLevel() > logging.INFO:
        log.setLevel(logging.INFO)
    try:
        yield
    finally:
        log.setLevel(level)
        if handler is not None:
            log.removeHandler(handler)


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush does not fail on the closed pipe again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # stdout replaced by an object without a file descriptor
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
