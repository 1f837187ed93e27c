"""The ``weaklabel`` command: fit, predict, evaluate, demo, bench.

Options come from flags or a YAML file (``--config``); flags win. The
resolved configuration is saved in the model directory as ``fit_config.json``.
Errors a user can cause are printed as one line (``weaklabel: error: …``)
with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .catalogue import TASKS, losses_text
from .cli_args import DATA_KEYS, PARAM_FLAGS, STREAM_MIN_BYTES, build_parser, parse_yaml
from .exceptions import InputError, WeaklabelError

if TYPE_CHECKING:

    from .data.sources import ChunkedSource

logger = logging.getLogger("weaklabel")

__all__ = ["COMMANDS", "build_parser", "main"]

# data options that an empty flag clears at predict/evaluate (a file without the id or label column of the fit's;
# --label-column '' clears the whole label group, as any label flag replaces it)
CLEARABLE_DATA_KEYS = ("id_column", "label_column")
# data options that choose the same columns in different ways: a file is read with one of each group
DATA_KEY_GROUPS = (("features", "feature_prefix"), ("label_column", "label_columns", "label_prefix"))


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


def _load_yaml(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    file = Path(path)
    if not file.is_file():
        raise InputError(f"config file {file} does not exist or is not a file")
    try:
        config = parse_yaml(file.read_text(encoding="utf-8")) or {}
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


def _note_default_features(path: str, data: dict[str, Any], names: list[str]) -> bool:
    """When fit or cluster chose a table's features (every numeric column), say which (once, on the first torchrun
    process); True when it chose them."""
    from .data.readers import TABLE_FORMATS
    from .runtime import distributed

    named = data.get("features") is not None or data.get("feature_prefix") is not None
    if named or Path(path).suffix.lower() not in TABLE_FORMATS:
        return False  # array files have no columns to name; their features are always every column
    if distributed.launch_rank() == 0:
        shown = ", ".join(names[:10]) + (f", … ({len(names) - 10} more)" if len(names) > 10 else "")
        print(f"{path}: features = every numeric column ({len(names)}): {shown}")
    return True


def _row_counters(table: Any) -> list[int]:
    """The feature columns that count the rows (each step exactly 1: 0, 1, 2, … or 1, 2, 3, …), as a saved index
    or a row number does; they say where a row sits in the file, nothing about it."""
    import numpy as np

    if len(table.features) < 3:
        return []
    return [j for j in range(table.features.shape[1]) if (np.diff(table.features[:, j]) == 1).all()]


def _default_features(path: str, data: dict[str, Any], table: Any) -> Any:
    """``table`` with the features fit or cluster use: when they were chosen by default (every numeric column), a
    column that counts the rows is left out, with a note (kept when it is the only one)."""
    import dataclasses

    from .data.readers import TABLE_FORMATS
    from .runtime import distributed

    chosen = data.get("features") is None and data.get("feature_prefix") is None and Path(path).suffix.lower() in TABLE_FORMATS
    counters = _row_counters(table) if chosen else []  # an array file's columns are the user's own: all kept
    if counters and len(counters) < len(table.feature_names):
        keep = [j for j in range(len(table.feature_names)) if j not in counters]
        names = [table.feature_names[j] for j in counters]
        if distributed.launch_rank() == 0:
            logger.warning(
                "%s: left out of the features: %s, which count%s the rows (%g, %g, …) like a row number; name it in "
                "--features to keep it, or pass --id-column %s to copy it to the predictions",
                path, ", ".join(map(repr, names)), "s" if len(names) == 1 else "", table.features[0, counters[0]],
                table.features[1, counters[0]], names[0],
            )
        table = dataclasses.replace(table, features=table.features[:, keep], feature_names=[table.feature_names[j] for j in keep])
    _note_default_features(path, data, table.feature_names)
    return table


#: a fit on fewer rows than this gets a warning: a network's result then rests on a handful of examples
FEW_ROWS = 50


def _warn_few_rows(path: str, n_rows: int) -> None:
    """Warn (once, on the first torchrun process) when a fit has fewer than :data:`FEW_ROWS` rows."""
    from .runtime import distributed

    if n_rows < FEW_ROWS and distributed.launch_rank() == 0:
        logger.warning(
            "%s: only %d rows to fit on; with fewer than %d the model rests on a handful of examples (and its validation "
            "split on fewer), so expect results that change with --seed: give more rows if you have them", path, n_rows, FEW_ROWS,
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


def _open_stream(path: str, data: dict[str, Any], automatic: bool) -> tuple[ChunkedSource, list[str], list[str]]:
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
    _note_default_features(path, data, feature_names)
    _record_features(data, feature_names)
    fit_multilabel_stream(estimator, source, label_names)
    return source.n_rows


def _check_choices(args: argparse.Namespace, config: dict[str, Any]) -> None:
    """What fit and cluster can refuse before loading any model code (PyTorch takes seconds to load): ``--resume``
    without ``--checkpoint-dir``, a task or loss (from the flags or the YAML file) that does not exist."""
    if args.resume and not args.checkpoint_dir:
        raise InputError("--resume needs --checkpoint-dir (the directory the interrupted run wrote its checkpoint to)")
    task = config["task"]
    if task not in TASKS:
        raise InputError(f"unknown task {task!r}; choose one of {sorted(TASKS)}")
    loss = config["params"].get("loss")
    if isinstance(loss, str) and loss not in TASKS[task].losses:
        raise InputError(f"unknown loss {loss!r} for the {task} task; choose one of {losses_text(task)} (--loss)")


def cmd_fit(args: argparse.Namespace) -> int:
    config = resolve_fit_config(args)
    _check_choices(args, config)
    from .persistence import check_model_target, save_model
    from .runtime import distributed
    from .tasks import get_task

    task = get_task(config["task"])
    estimator = task.build(config["params"])  # fail on bad params before reading data
    check_model_target(args.out)
    _set_checkpointing(args, estimator)
    if _streams(args, task.name):
        n_rows = _fit_stream(args.data, config["data"], estimator, automatic=not args.stream)
    else:
        table = _default_features(args.data, config["data"], _read(args.data, config["data"], require_labels=task.needs_labels))
        _record_features(config["data"], table.feature_names)
        _warn_few_rows(args.data, table.n_samples)
        task.fit(estimator, table)
        n_rows = len(table.features)
    if distributed.rank() == 0:  # under torchrun every rank holds the same model; one writes it
        save_model(estimator, args.out, extra_json={"fit_config.json": config})
        print(f"saved {type(estimator).__name__} ({task.name}, {n_rows} rows) to {args.out}")
    return 0


def cmd_cluster(args: argparse.Namespace) -> int:
    args.task = "self-supervised"
    config = resolve_fit_config(args)
    _check_choices(args, config)
    from .data.readers import check_output_table, write_table
    from .persistence import check_model_target, save_model
    from .runtime import distributed
    from .tasks import get_task

    if args.n_classes is not None:
        config["params"]["n_classes"] = args.n_classes
    task = get_task(config["task"])
    estimator = task.build(config["params"])
    check_model_target(args.out)
    _set_checkpointing(args, estimator)
    if args.assignments:  # before the fit: a bad name must not leave a saved model and an error
        check_output_table(args.assignments)
        _refuse_writing_into_model(args.assignments, "--assignments", model_out=args.out)
    table = _default_features(args.data, config["data"], _read(args.data, config["data"], require_labels=False))
    _record_features(config["data"], table.feature_names)
    _warn_few_rows(args.data, table.n_samples)
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
    from . import estimators  # noqa: F401  (registers the classes load rebuilds)
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
    from .data._messages import list_names

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
    from .tasks import Decision, get_task, label_sets_as_text

    check_output_table(args.out)
    _refuse_writing_into_model(args.out, "--out")
    if Path(args.out).resolve() == Path(args.data).resolve():
        raise InputError(f"--out {args.out} is the input file; write the predictions to another file")
    estimator, saved = _load_model(args.model, args.device)
    task = get_task(saved["task"])
    decision = Decision(top_k=args.top_k, threshold=args.threshold)
    table = _read_model_input(args, saved, labels=False, require_labels=False)
    frame = task.predictions(estimator, table, decision)
    text_file = Path(args.out).suffix.lower() in (".csv", ".tsv")  # a .parquet keeps the label sets as lists
    write_table(label_sets_as_text(frame, args.label_sep) if text_file else frame, args.out)
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
    try:
        rows = task.evaluate(estimator, table, report)
    except InputError as exc:  # the labels do not suit the model: say which kind of model it is
        raise InputError(f"{exc} ({args.model} holds a model of the {task.name} task: {task.description})") from None
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


COMMANDS = {"fit": cmd_fit, "cluster": cmd_cluster, "predict": cmd_predict, "evaluate": cmd_evaluate, "demo": cmd_demo, "datasets": cmd_datasets,
            "bench": cmd_bench}


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
