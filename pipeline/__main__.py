"""`python -m pipeline` is the `jixiao` command."""
import sys

from pipeline.cli import main

sys.exit(main())
