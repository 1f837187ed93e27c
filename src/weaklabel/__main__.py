"""``python -m weaklabel`` runs the command line (also under ``torchrun``)."""

import sys

from .cli import run

sys.exit(run())
