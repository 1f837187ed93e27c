"""Built-in demo scenarios; importing a module registers its scenarios."""

from . import multilabel  # noqa: F401
