"""The `syndicator` command line (see syndicator.cli.commands).

This module stays import-light on purpose: parser worker processes re-import the program's
entry module, and must not load the database stack for nothing.
"""

from __future__ import annotations


def main() -> None:
    """Console-script entry point."""
    from syndicator.cli.commands import main as run

    run()
