from __future__ import annotations

import sys

from retrieval.eval.evalcli import main

sys.exit(main())
