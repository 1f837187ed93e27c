"""The command line's arguments: the parser, its help texts (choices and examples) and the types of its values.

Nothing here loads PyTorch, NumPy or pandas: ``weaklabel --help``, every sub-command's help and every argument
error answer from this module, :mod:`weaklabel.catalogue` and PyYAML alone (tests/cli/test_startup.py).
"""

from __future__ import annotations

import argparse
import re
import textwrap
from collections.abc import Callable
from typing import Any

import yaml

from ._version import __version__
from .catalogue import DATASETS, PARAMETER_FLAGS, SCENARIOS, SUITES, TASKS, losses_text

__all__ = ["DATA_KEYS", "PARAM_FLAGS", "STREAM_MIN_BYTES", "build_parser", "parse_yaml"]

STREAM_MIN_BYTES = 2 << 30  # `weaklabel fit` streams .parquet/.npz files from this size on
DATA_KEYS = ("features", "feature_prefix", "label_column", "label_columns", "label_prefix", "label_sep", "id_column")
#: flag destination → estimator parameter (the flags of :data:`weaklabel.catalogue.PARAMETER_FLAGS` that fit takes)
PARAM_FLAGS = {flag[2:].replace("-", "_"): name for name, flag in PARAMETER_FLAGS.items() if name != "n_classes"}
MAX_SEED = 2**31

FORMATS = ".csv, .tsv, .parquet, .npy or .npz"


class _ConfigLoader(yaml.SafeLoader):
    """PyYAML's safe loader, plus YAML 1.2's exponent floats: ``1e-3`` and ``5E4`` are numbers, not text
    (PyYAML follows YAML 1.1, whose floats need a dot and a signed exponent); and Python's ``None`` is
    YAML's ``null``, as the parameter docs write it (``patience=None``)."""


_ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+$"), list("-+0123456789.")
)
_ConfigLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^None$"), ["N"])


def parse_yaml(text: str) -> Any:
    """``text`` parsed as YAML for a config file or a ``--param`` value."""
    return yaml.load(text, Loader=_ConfigLoader)  # noqa: S506 - a SafeLoader subclass


# --------------------------------------------------------------------------- value types


def _csv_list(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _int_list(text: str) -> list[int]:
    try:
        return [int(t) for t in _csv_list(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


def _integer(low: int, high: int | None = None):
    """An argparse type: an integer in [low, high)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value >= high):
            bound = f"≥ {low}" if high is None else f"in [{low}, {high})"
            raise argparse.ArgumentTypeError(f"expected an integer {bound}, got {text!r}")
        return value

    return parse


def _number(accepts: Callable[[float], bool], bound: str) -> Callable[[str], float]:
    """An argparse type: a number that ``accepts`` (text that is no number is refused as NaN would be)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not accepts(value):
            raise argparse.ArgumentTypeError(f"expected a number {bound}, got {text!r}")
        return value

    return parse


_positive_number = _number(lambda v: v > 0 and v != float("inf"), "> 0")
_probability = _number(lambda v: 0.0 < v < 1.0, "in (0, 1)")


#: fit's --threshold rules besides a number (MultiLabelClassifier's TUNING_RULES; tests/test_catalogue.py checks)
THRESHOLD_RULES = ("tune", "tune_example_f1")


def _n_classes(text: str) -> int | str:
    """``auto`` or an integer ≥ 2."""
    if text == "auto":
        return text
    try:
        return _integer(2)(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected an integer ≥ 2 or 'auto', got {text!r}") from None


def _threshold(text: str) -> float | str:
    if text in THRESHOLD_RULES:
        return text
    try:
        return _probability(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), 'tune' or 'tune_example_f1', got {text!r}") from None


def _device(text: str) -> str:
    if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", text):
        raise argparse.ArgumentTypeError(f"expected auto, cpu, cuda or cuda:N, got {text!r}")
    return text


def _key_value(text: str) -> tuple[str, Any]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"--param takes KEY=VALUE, got {text!r}")
    key, value = text.split("=", 1)
    try:
        return key.strip(), parse_yaml(value)
    except yaml.YAMLError:
        return key.strip(), value


# --------------------------------------------------------------------------- help texts


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Help with the description and the examples as written (line breaks kept), options wrapped as usual."""


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def _listing(title: str, rows: dict[str, str], width: int = 100) -> str:
    """``title:`` and one entry per row, its text wrapped under a hanging indent."""
    indent = 2 + max(len(name) for name in rows) + 2
    lines = [f"{title}:"]
    for name, text in rows.items():
        lines += textwrap.wrap(text, width, initial_indent=f"  {name:{indent - 2}s}", subsequent_indent=" " * indent, break_on_hyphens=False)
    return "\n".join(lines)


def _tasks_text() -> str:
    return _listing("tasks (--task)", {name: info.summary for name, info in TASKS.items()})


def _losses_by_task() -> str:
    return _listing("losses (--loss), by task", {name: losses_text(name) for name in TASKS})


MAIN_EPILOG = "\n\n".join([
    _tasks_text(),
    _examples(
        "weaklabel demo                                        # built-in scenarios -> weaklabel-report/report.md",
        "weaklabel fit movies.csv --label-column genres --out model/",
        "weaklabel predict model/ new.csv --out predictions.csv",
        "weaklabel evaluate model/ test.csv --out evaluation/",
        "weaklabel fit clicks.csv --task positive-only --label-column clicked --out model/",
        "weaklabel cluster vectors.npy --n-classes 10 --out model/ --assignments classes.csv",
        "weaklabel bench multilabel --quick",
        "weaklabel fit --help                                  # every command has its own help and examples",
    ),
])

FIT_EPILOG = "\n\n".join([
    _tasks_text(),
    _losses_by_task(),
    "A YAML --config has the sections task, data (the column flags, with _ for -) and params (any estimator\n"
    "parameter); flags win over it. The model directory keeps the resolved configuration (fit_config.json).",
    _examples(
        "weaklabel fit movies.csv --label-column genres --id-column title --out model/",
        "weaklabel fit train.parquet --label-prefix genre_ --loss asymmetric --threshold tune --out model/",
        "weaklabel fit clicks.csv --task positive-only --label-column clicked --out model/",
        "weaklabel fit digits.npz --task embedding --loss center --out model/",
        "weaklabel fit train.csv --config fit.yaml --epochs 50 --param dropout=0.2 --out model/",
        "weaklabel fit big.parquet --label-prefix genre_ --stream --out model/",
        "weaklabel fit train.csv --label-column genres --checkpoint-dir ckpt/ --out model/   # then --resume",
    ),
])

CLUSTER_EPILOG = "\n\n".join([
    f"losses (--param loss=NAME): {losses_text('self-supervised')}",
    _examples(
        "weaklabel cluster vectors.npy --n-classes 10 --out model/",
        "weaklabel cluster table.csv --features x,y --n-classes 5 --out model/ --assignments classes.csv",
        "weaklabel evaluate model/ labelled.csv --label-column class   # accuracy after matching clusters to classes",
    ),
])

PREDICT_EPILOG = "\n\n".join([
    "Every task writes the same columns: the id column under its own name (when there is one), 'predicted' (the\n"
    "label set, the class or the cluster) and 'score_<label>' per label, class or cluster. A .parquet holds the\n"
    "label sets as lists, a .csv/.tsv as text joined by --label-sep.",
    _examples(
    "weaklabel predict model/ new.csv --out predictions.csv",
    "weaklabel predict model/ new.parquet --out predictions.parquet",
    "weaklabel predict model/ new.csv --out p.csv --top-k 3                # each row's three best labels",
    "weaklabel predict model/ new.csv --out p.csv --threshold 0.7          # the labels scoring at least 0.7",
    "weaklabel predict model/ new.csv --out p.csv --id-column ''              # without the id column saved at fit",
    "weaklabel predict model/ new.csv --out p.csv --device cpu                # a model fitted on a GPU, on a CPU",
    ),
])

EVALUATE_EPILOG = _examples(
    "weaklabel evaluate model/ test.csv                          # -> model-evaluation/report.md",
    "weaklabel evaluate model/ test.parquet --out evaluation/",
    "weaklabel evaluate model/ test.csv --label-column tags      # labels in another column than at fit",
)

DEMO_EPILOG = "\n\n".join([
    _listing("scenarios (--only)", SCENARIOS),
    _examples(
        "weaklabel demo",
        "weaklabel demo --only multilabel-tagged --out report/",
        "weaklabel demo --only positive-only-blobs --only self-supervised -q",
    ),
])

BENCH_EPILOG = "\n\n".join([
    _listing("suites", SUITES),
    _examples(
        "weaklabel bench multilabel --quick                  # a smoke test in a few minutes",
        "weaklabel bench positive-only                       # -> benchmarks/results/positive-only/report.md",
        "weaklabel bench speed --out /tmp/results",
    ),
])


# --------------------------------------------------------------------------- the parser


def _add_data_flags(p: argparse.ArgumentParser, labels: bool = True, saved: bool = False) -> None:
    """The column flags; ``saved``: a fitted model's command, whose columns default to those used at fit."""
    if saved:
        g = p.add_argument_group("data columns", "default: the options the model was fitted with (saved in it); a flag replaces its group")
        features_default = "the feature columns used at fit"
    else:
        g = p.add_argument_group("data columns")
        features_default = "every numeric column, less one that counts the rows (1, 2, …, n)"
    g.add_argument("--features", type=_csv_list, help=f"comma-separated feature columns (default: {features_default})")
    g.add_argument("--feature-prefix", help="use the columns whose names start with this prefix as features")
    clear = " ('' for none, in place of the saved one)" if saved else ""
    g.add_argument("--id-column", help=f"column that identifies rows, copied to the predictions under its name{clear}")
    if labels:
        g.add_argument("--label-column", help=f"one column holding each row's labels (a list, a list as text such as ['a', 'b'], or a delimited string){clear}")
        g.add_argument("--label-columns", type=_csv_list, help="comma-separated 0/1 label columns")
        g.add_argument("--label-prefix", help="0/1 label columns are those whose names start with this prefix")
        g.add_argument("--label-sep", help="separator inside a delimited label column (default '|')")


def _add_model_flags(p: argparse.ArgumentParser, full: bool) -> None:
    """The estimator's flags (``full``: those of fit; else those cluster takes)."""
    g = p.add_argument_group("model")
    if full:
        g.add_argument("--loss", metavar="NAME", help="the task's loss (listed below; default: the task's default)")
        g.add_argument("--threshold", type=_threshold, metavar="T", help="decision threshold in (0, 1); multilabel also 'tune' (default: per label, for each label's F1, on the validation "
                       "split) or 'tune_example_f1' (one for all labels, for the example-based F1: about as many labels per item as are true)")
    if not full:
        g.add_argument("--method", choices=("mixture_graph", "minmax_scan", "scan"), help="mixture_graph (default), or the network methods minmax_scan and scan")
    g.add_argument("--epochs", type=_integer(1), metavar="N", help="maximum number of epochs" + ("" if full else " (minmax_scan and scan)"))
    if full:
        g.add_argument("--batch-size", type=_integer(1), metavar="N", help="rows per training step")
        g.add_argument("--learning-rate", type=_positive_number, metavar="LR", help="AdamW's learning rate")
        g.add_argument("--hidden-sizes", type=_int_list, metavar="N,N", help="comma-separated hidden layer sizes, e.g. 512,512")
    g.add_argument("--seed", type=_integer(0, MAX_SEED), metavar="N", help="random_state: the same seed, data and machine give the same model")
    g.add_argument("--device", type=_device, help="auto (default: a GPU when there is one), cpu, cuda or cuda:N")
    g.add_argument("--param", type=_key_value, action="append", default=[], metavar="KEY=VALUE",
                   help="any estimator parameter, the value read as YAML (e.g. dropout=0.2, patience=null); repeatable")


def _add_checkpoint_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("checkpoints")
    g.add_argument("--checkpoint-dir", help="write a training checkpoint to this directory (crash-safe)")
    g.add_argument("--checkpoint-every", type=_integer(1), default=1, metavar="N", help="epochs between checkpoints (default 1)")
    g.add_argument("--resume", action="store_true", help="continue from the checkpoint in --checkpoint-dir, if there is one")


def _add_inference_device(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", type=_device, help="auto, cpu, cuda or cuda:N (default: the device the model was fitted with)")


def _add_verbosity(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.add_argument("-v", "--verbose", action="store_true", help="log details")


def _command(sub: Any, name: str, help: str, epilog: str) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".", epilog=epilog, formatter_class=_Formatter)


DATASETS_EPILOG = """examples:
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
    names = ", ".join(DATASETS)
    p = _command(sub, "datasets", f"list, describe or export the standard multi-label sets shipped with weaklabel ({names})", DATASETS_EPILOG)
    actions = p.add_subparsers(dest="datasets_command", required=True, metavar="{list,info,export}")
    _add_verbosity(actions.add_parser("list", help="one line per set: items, features, labels, split"))
    info = actions.add_parser("info", help="a set's description, split, label names and citation")
    info.add_argument("name", metavar="NAME", help=f"one of: {names}")
    _add_verbosity(info)
    export = _command(actions, "export", "write a set as a table: features x0, x1, ..., the label set of each row in 'labels'", DATASETS_EPILOG)
    export.add_argument("name", metavar="NAME", help=f"one of: {names}")
    export.add_argument("out", metavar="FILE", help="output table: .csv, .tsv or .parquet (written whole or not at all)")
    export.add_argument("--subset", default="all", help="all (default; adds a 'split' column, train or test per row), "
                        "train or test: the source's split for yeast and scene, a fixed seed-0 80/20 split for the others")
    _add_verbosity(export)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="weaklabel", description="Train classifiers when labels are weak: positives only, sparse and imbalanced, "
        "overlapping, or absent.", epilog=MAIN_EPILOG, formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"weaklabel {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    fit = _command(sub, "fit", "train a model on a CSV/Parquet/NumPy file and save it", FIT_EPILOG)
    fit.add_argument("data", help=f"training data: {FORMATS}")
    fit.add_argument("--out", required=True, help="directory to write the model to")
    fit.add_argument("--config", help="YAML file with task, data and params sections; flags override it")
    fit.add_argument("--task", choices=list(TASKS), help="what to learn (default: multilabel; listed below)")
    _add_data_flags(fit)
    _add_model_flags(fit, full=True)
    _add_checkpoint_flags(fit)
    stream = fit.add_mutually_exclusive_group()
    stream.add_argument(
        "--stream",
        action="store_true",
        help=f"train from the file chunk by chunk (.parquet or uncompressed .npz, multilabel task, 0/1 label columns); "
        f"automatic for files of {STREAM_MIN_BYTES >> 30} GiB or more",
    )
    stream.add_argument("--no-stream", action="store_true", help=f"read the file into memory even when it is {STREAM_MIN_BYTES >> 30} GiB or more")
    _add_verbosity(fit)

    cl = _command(sub, "cluster", "learn classes from unlabelled data (self-supervised) and save the model", CLUSTER_EPILOG)
    cl.add_argument("data", help=f"data: {FORMATS}")
    cl.add_argument("--out", required=True, help="directory to write the model to")
    cl.add_argument("--n-classes", type=_n_classes, metavar="K", help="number of classes to learn (≥ 2), or 'auto' to estimate it (default 10)")
    cl.add_argument("--assignments", help="also write each row's class and class probabilities to this .csv/.parquet")
    cl.add_argument("--config", help="YAML file with data and params sections; flags override it")
    _add_data_flags(cl, labels=False)
    _add_model_flags(cl, full=False)
    _add_checkpoint_flags(cl)
    _add_verbosity(cl)

    pred = _command(sub, "predict", "write per-label scores and predicted labels for a file", PREDICT_EPILOG)
    pred.add_argument("model", help="model directory written by 'weaklabel fit' or 'weaklabel cluster'")
    pred.add_argument("data", help=f"data file with the feature columns used at fit: {FORMATS}")
    pred.add_argument("--out", required=True, help="output file: .csv or .parquet")
    _add_data_flags(pred, labels=False, saved=True)
    g = pred.add_argument_group("label sets (multilabel and positive-only models; default: the model's own rule)")
    rule = g.add_mutually_exclusive_group()
    rule.add_argument("--top-k", type=_integer(1), metavar="K", help="predict each row's K highest-scoring labels")
    rule.add_argument("--threshold", type=_probability, metavar="T", help="predict the labels scoring at least T, in (0, 1)")
    g.add_argument("--label-sep", default="|", help="separator of the label sets in a .csv/.tsv (default '|'; a .parquet holds lists)")
    _add_inference_device(pred)
    _add_verbosity(pred)

    ev = _command(sub, "evaluate", "write a metrics table and figures for a labelled file", EVALUATE_EPILOG)
    ev.add_argument("model", help="model directory written by 'weaklabel fit' or 'weaklabel cluster'")
    ev.add_argument("data", help=f"labelled data file: {FORMATS}")
    ev.add_argument("--out", help="report directory (default: <model>/../<model name>-evaluation)")
    _add_data_flags(ev, saved=True)
    _add_inference_device(ev)
    _add_verbosity(ev)

    demo = _command(sub, "demo", "run the built-in scenarios and write a report", DEMO_EPILOG)
    demo.add_argument("--out", default="weaklabel-report", help="report directory (default: weaklabel-report)")
    demo.add_argument("--only", action="append", choices=list(SCENARIOS), metavar="SCENARIO", help="run only this scenario (repeatable; listed below)")
    _add_verbosity(demo)

    _add_datasets_parser(sub)

    bench = _command(sub, "bench", "run a benchmark suite and write its results report", BENCH_EPILOG)
    bench.add_argument("suite", choices=list(SUITES), metavar="SUITE", help="the suite to run (listed below)")
    bench.add_argument("--out", default="benchmarks/results", help="results directory (default: benchmarks/results; the report goes to <out>/<suite>/)")
    bench.add_argument("--quick", action="store_true", help="smaller run for a smoke test")
    _add_verbosity(bench)
    return parser
