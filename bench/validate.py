"""Settings validation, in process, for bench/startup.py.

    .venv/bin/python bench/validate.py SETTINGS_TOML [--repeat 7]

In a fresh process: imports what any command that reads the settings imports anyway (the
settings models, and SQLAlchemy, which every command that reads settings also uses for its
database), then times `load_settings` (read, parse TOML, validate every feed and table):
the first call, and the median of `--repeat` more. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import _repo  # noqa: F401  (puts the repository on sys.path)

import storage.engine  # noqa: F401  (imported by every command that reads the settings)
from syndicator.config import load_settings


def timed(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    settings = load_settings(path)
    return time.perf_counter() - started, len(settings.feeds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("settings", type=Path)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    first, feeds = timed(args.settings)
    again = [timed(args.settings)[0] for _ in range(args.repeat)]
    print(
        json.dumps(
            {
                "feeds": feeds,
                "first": round(first, 4),
                "repeat_median": round(statistics.median(again), 4),
                "repeats": [round(s, 4) for s in again],
            }
        )
    )


if __name__ == "__main__":
    main()
