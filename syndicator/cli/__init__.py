"""The `syndicator` command line (see syndicator.cli.commands).

This module stays import-light on purpose: parser worker processes re-import the program's
entry module, and must not load the database stack for nothing.
"""

from __future__ import annotations


def main() -> None:
    """Console-script entry point."""
    import gc

    # A start makes a few hundred thousand objects that live as long as the process (the
    # libraries, the tables, the settings) and frees almost none: the collector's passes over
    # them, during the start and again at exit, took a quarter of `queue list`. Off for the start;
    # syndicator.cli.context.end_start() freezes what the start made and turns it back on.
    gc.disable()
    from syndicator.cli.commands import main as run

    run()
