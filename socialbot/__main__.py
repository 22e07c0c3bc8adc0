"""Entry point for ``python -m socialbot``."""

from socialbot.cli import main

main()
