"""`python -m bot` is the same as the `caitien` command."""

import sys

from bot.cli import main

sys.exit(main())
