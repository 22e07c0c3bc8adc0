"""Click commands: thin wrappers that parse, call socialbot.app and render; errors become clear messages."""

import click


@click.group()
def main() -> None:
    """socialbot."""
