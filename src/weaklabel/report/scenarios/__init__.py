"""Built-in demo scenarios; importing a module registers its scenarios."""

from . import (
    embedding,  # noqa: F401
    multilabel,  # noqa: F401
    positive_only,  # noqa: F401
    self_supervised,  # noqa: F401
)
