"""``python -m eosmath.cli``: the same as the ``eosmath`` command."""

import sys

from eosmath.cli import main

sys.exit(main())
