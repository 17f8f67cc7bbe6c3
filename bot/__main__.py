"""`python -m bot` runs the painpoint command line."""

import sys

from bot.cli import main

sys.exit(main())
