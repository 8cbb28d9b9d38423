"""``python -m hflint``: the same command as ``hflint``."""
import sys

from .cli import main

sys.exit(main())
