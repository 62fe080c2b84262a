"""lemon24/reader's feed update as a whole process, for bench/startup.py.

    bench/.venv-reader/bin/python bench/reader_update.py DB [--add URLS_FILE] [--workers 8]

Runs with reader's own virtual environment (reader 3.26 and its dependencies, nothing of ours),
so it imports only what reader imports. `--add` adds the feeds first (the set-up run). Every
feed is updated whether due or not (`scheduled=False`, as in bench/contenders.py). Prints the
outcomes as one JSON object: `not_modified` counts the feeds whose server answered 304.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from reader import make_reader


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--add", type=Path, help="file with one feed URL a line, added first")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    reader = make_reader(str(args.db))
    for url in args.add.read_text().split() if args.add else ():
        reader.add_feed(url, exist_ok=True)
    counts: Counter[str] = Counter()
    for result in reader.update_feeds_iter(workers=args.workers, scheduled=False):
        value = result.value
        if value is None:
            counts["not_modified"] += 1
        elif isinstance(value, Exception):
            counts["error"] += 1
        else:
            counts["updated"] += 1
    reader.close()
    print(json.dumps(dict(counts)))


if __name__ == "__main__":
    main()
