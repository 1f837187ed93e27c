"""Markdown reports with tables and figures, and terminal table formatting."""

from .markdown import MISSING, Report, check_report_folder, format_cell, format_table, markdown_table

__all__ = ["MISSING", "Report", "check_report_folder", "format_cell", "format_table", "markdown_table"]
