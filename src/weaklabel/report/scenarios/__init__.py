"""Built-in demo scenarios; importing a module registers its scenarios."""

from . import multilabel  # noqa: F401
from . import self_supervised  # noqa: F401
from . import embedding  # noqa: F401
from . import positive_only  # noqa: F401
