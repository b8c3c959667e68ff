#!/usr/bin/env python
"""Start the lab WS-Management endpoint: ``python tests/lab/wsman_lab.py --help``."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from wsmanlab.cli import main  # noqa: E402  (the path above makes the package importable from any directory)

if __name__ == "__main__":
    sys.exit(main())
