"""``python -m mockrunner`` is the ``mockrunner`` command (docker-compose uses this form)."""
import sys

from mockrunner.cli import main

sys.exit(main())
