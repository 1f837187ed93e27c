"""A small Markdown report writer, plus table formatting for terminals.

A :class:`Report` collects sections, text, tables and figures, then
:meth:`Report.write` renders ``report.md`` and ``figures/*.png`` in a
temporary folder beside the destination and moves them into place, so a
crash while rendering never leaves a half-written report.
"""

from __future__ import annotations

import numbers
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..exceptions import InputError
from ..fileio import replacing_directory, replacing_file

__all__ = ["MISSING", "Report", "format_cell", "format_table", "markdown_table"]

MISSING = "–"  # en dash, shown for None
REPORT_FILE = "report.md"
FIGURES_DIR = "figures"


# --------------------------------------------------------------------------
# tables


def format_cell(value: Any, floatfmt: str = ".3f") -> str:
    """One table cell: floats with ``floatfmt``, ints as ints, None as an en dash."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return format(float(value), floatfmt)
    return str(value)


def _is_numeric(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _columns(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None) -> list[str]:
    """The given columns, or every key of the rows in first-seen order."""
    if columns is not None:
        return [str(c) for c in columns]
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(str(key), None)
    return list(seen)


def _grid(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None, floatfmt: str
) -> tuple[list[str], list[list[str]], list[bool]]:
    """Header, formatted cells and right-alignment flag (numeric column) per column."""
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InputError(f"table row {i} is a {type(row).__name__}, not a dict.")
    header = _columns(rows, columns)
    cells = [[format_cell(row.get(col), floatfmt) for col in header] for row in rows]
    numeric = []
    for col in header:
        values = [row.get(col) for row in rows if row.get(col) is not None]
        numeric.append(bool(values) and all(_is_numeric(v) for v in values))
    return header, cells, numeric


def _pad(text: str, width: int, right: bool) -> str:
    return text.rjust(width) if right else text.ljust(width)


def format_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, floatfmt: str = ".3f"
) -> str:
    """Plain-text table with aligned columns, for printing to a terminal.

    Numeric columns are right-aligned; a dashed rule separates the header.
    """
    header, cells, numeric = _grid(rows, columns, floatfmt)
    if not header:
        return ""
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]
    lines = [
        "  ".join(_pad(h, w, right) for h, w, right in zip(header, widths, numeric)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(_pad(c, w, right) for c, w, right in zip(row, widths, numeric)) for row in cells]
    return "\n".join(line.rstrip() for line in lines)


def _escape(text: str) -> str:
    """Make ``text`` safe inside a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", " ").replace("\n", " ")


def markdown_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, floatfmt: str = ".3f"
) -> str:
    """Markdown pipe table; numeric columns right-aligned, cells padded to line up."""
    header, cells, numeric = _grid(rows, columns, floatfmt)
    if not header:
        return ""
    header = [_escape(h) for h in header]
    cells = [[_escape(c) for c in row] for row in cells]
    widths = [max([3, len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(_pad(v, w, right) for v, w, right in zip(values, widths, numeric)) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if right else (":" + "-" * (w + 1))
                          for w, right in zip(widths, numeric)) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in cells)])


# --------------------------------------------------------------------------
# report


@dataclass
class _Figure:
    fig: Any
    filename: str
    caption: str
    number: int


def _figure_filename(name: str) -> str:
    """A safe PNG file name from a user-given figure name."""
    stem = name[:-4] if name.lower().endswith(".png") else name
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._")
    if not stem:
        raise InputError(f"figure name {name!r} has no usable characters; use letters, digits, '-' or '_'.")
    return stem + ".png"



def check_report_folder(directory: str | os.PathLike[str]) -> Path:
    """``directory`` as a Path a report can be written to; refused when it, or a folder above it, is a file.

    Called before a long run (a benchmark suite, the demo), so a bad ``--out`` fails first.
    """
    target = Path(directory)
    for path in (target, *target.parents):
        if path.exists():
            if not path.is_dir():
                raise InputError(f"{path} exists and is not a folder; choose another report folder.")
            break
    return target

class Report:
    """Markdown report built step by step; every adder returns ``self`` for chaining.

    Example: ``Report("Run 3").section("Scores").table(rows).figure(fig, "pr", "PR curves").write(out)``.
    """

    def __init__(self, title: str) -> None:
        self.title = str(title)
        self._blocks: list[str | _Figure] = []
        self._figures: dict[str, _Figure] = {}
        self._n_tables = 0

    def section(self, title: str, text: str = "", *, level: int = 2) -> Report:
        """Start a section (``##`` heading by default), optionally with a paragraph."""
        if not 2 <= level <= 6:
            raise InputError(f"section level must be 2 to 6 (1 is the report title), got {level}.")
        heading = " ".join(str(title).split())
        self._blocks.append("#" * level + " " + heading)
        if text:
            self.text(text)
        return self

    def text(self, text: str) -> Report:
        """Add a paragraph of Markdown text."""
        body = str(text).strip("\n")
        if body:
            self._blocks.append(body)
        return self

    def table(
        self,
        rows: list[dict],
        columns: list[str] | None = None,
        floatfmt: str = ".3f",
        caption: str | None = None,
    ) -> Report:
        """Add a Markdown pipe table, with an optional numbered caption below it."""
        table = markdown_table(rows, columns, floatfmt)
        if not rows:
            table = (table + "\n\n" if table else "") + "*(no rows)*"
        self._n_tables += 1
        if caption:
            table += f"\n\n*Table {self._n_tables}: {caption}*"
        self._blocks.append(table)
        return self

    def figure(self, fig: Any, name: str, caption: str) -> Report:
        """Add a matplotlib figure, written as ``figures/<name>.png`` by :meth:`write`."""
        filename = _figure_filename(name)
        if filename in self._figures:
            raise InputError(f"a figure named {filename!r} is already in this report; use another name.")
        if not hasattr(fig, "savefig"):
            raise InputError(f"figure {name!r} is a {type(fig).__name__}, not a matplotlib Figure.")
        entry = _Figure(fig, filename, str(caption), len(self._figures) + 1)
        self._figures[filename] = entry
        self._blocks.append(entry)
        return self

    @property
    def figure_files(self) -> list[str]:
        """Paths, relative to the report folder, of the figures :meth:`write` creates."""
        return [f"{FIGURES_DIR}/{name}" for name in self._figures]

    def to_markdown(self) -> str:
        """The report's Markdown text (figures linked as ``figures/<name>.png``)."""
        parts = [f"# {' '.join(self.title.split())}"]
        for block in self._blocks:
            if isinstance(block, _Figure):
                alt = block.caption.replace("[", "(").replace("]", ")").replace("\n", " ")
                parts.append(
                    f"![{alt}]({FIGURES_DIR}/{block.filename})\n\n*Figure {block.number}: {block.caption}*"
                )
            else:
                parts.append(block)
        return "\n\n".join(parts) + "\n"

    def write(self, directory: str | os.PathLike[str]) -> Path:
        """Write ``directory/report.md`` and ``directory/figures/*.png``; return the report path.

        A new ``directory`` is written whole into a staging folder next to it and renamed into place. If it
        exists, its ``figures/`` folder and its ``report.md`` are each replaced atomically
        (:mod:`weaklabel.fileio`) and its other files are left alone.
        """
        target = check_report_folder(directory)
        what = f"the report to {target}"
        if not target.exists():
            with replacing_directory(target, what) as staging:
                self._write_figures(staging / FIGURES_DIR)
                (staging / REPORT_FILE).write_text(self.to_markdown(), encoding="utf-8")
            return target / REPORT_FILE
        with replacing_directory(target / FIGURES_DIR, what) as staging:
            self._write_figures(staging)
        with replacing_file(target / REPORT_FILE, what) as staging:
            staging.write_text(self.to_markdown(), encoding="utf-8")
        return target / REPORT_FILE

    def _write_figures(self, folder: Path) -> None:
        from ..plots import save_figure  # matplotlib is only needed when writing

        folder.mkdir(exist_ok=True)
        for entry in self._figures.values():
            save_figure(entry.fig, folder / entry.filename)
