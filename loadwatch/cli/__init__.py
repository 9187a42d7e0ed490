"""The ``loadwatch`` command line (filled in by the CLI modules)."""

import click


@click.group()
@click.version_option(package_name="loadwatch")
def cli() -> None:
    """loadwatch: training-load monitoring for runners (information, not medical advice)."""


def main() -> None:
    cli()
