"""Sphinx configuration of the weaklabel documentation (``sphinx-build -W -b html docs docs/_build/html``)."""

from __future__ import annotations

import weaklabel

project = "weaklabel"
author = "the weaklabel developers"
copyright = "2026, the weaklabel developers"
release = weaklabel.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3

# numpy-style docstrings; parameters listed where they are documented, not twice
napoleon_google_docstring = False
napoleon_numpy_docstring = True
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented"
autodoc_default_options = {
    "members": True,
    "show-inheritance": False,
    # scikit-learn's metadata-routing setters are generated per class and documented by scikit-learn
    "exclude-members": "set_fit_request, set_predict_request, set_score_request, set_partial_fit_request, "
    "set_predict_proba_request, set_transform_request, set_output",
}

html_theme = "furo"
html_title = f"weaklabel {release}"
html_static_path: list[str] = []
