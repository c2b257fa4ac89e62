"""``python -m localise``."""

from localise.cli import main

raise SystemExit(main())
