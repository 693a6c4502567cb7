"""`python -m tts ...` entry point."""

import sys

from tts.apps.cli import main

sys.exit(main())
