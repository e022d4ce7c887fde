from __future__ import annotations

import sys

from retrieval.eval.cli import main

sys.exit(main())
