"""The README's quick-start snippets run as written: every name is imported or is a placeholder for the reader's
data, and every example ``y`` is accepted. (Running them takes minutes of training; this checks what breaks them.)"""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path

import pytest

from weaklabel.data.labels import LabelEncoder

README = Path(__file__).resolve().parents[1] / "README.md"
#: the reader's data, which the snippets leave to them
PLACEHOLDERS = {"X", "X_new", "X_test", "y_test", "images", "images_new", "y"}


def _quick_start_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Quick start") : text.index("## Results")]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


BLOCKS = _quick_start_blocks()


def _undefined_names(tree: ast.Module) -> set[str]:
    defined = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            defined |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            defined.add(node.id)
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    return used - defined


def test_quick_start_has_snippets() -> None:
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.splitlines()[0])
def test_every_name_is_imported_or_a_placeholder(block: str) -> None:
    assert _undefined_names(ast.parse(block)) <= PLACEHOLDERS


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.splitlines()[0])
def test_example_labels_are_accepted(block: str) -> None:
    """``y = [..., ...]`` with its ``...`` (more of the same) left out fits a LabelEncoder."""
    for node in ast.walk(ast.parse(block)):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List) and [t.id for t in node.targets] == ["y"]:
            y = [ast.literal_eval(v) for v in node.value.elts if not (isinstance(v, ast.Constant) and v.value is Ellipsis)]
            LabelEncoder().fit(y)
