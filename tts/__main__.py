"""`python -m tts ...` entry point."""

import sys

from tts.cli import main

sys.exit(main())
