"""Summarise a py-spy raw (collapsed-stack) profile: where the samples are, self and inclusive.

    py-spy record --format raw --threads -o prof.txt -- .venv/bin/python bench/contenders.py ...
    .venv/bin/python bench/flame.py prof.txt [--top 25] [--match syndicator/]

(`bench/run.py --profile` writes these under bench/results/profiles/.)
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^():]+)(?::\d+)?\)$")


def frame_name(frame: str) -> str:
    """'parse (feedparser/api.py:123)' → 'parse (feedparser/api.py)', shortened to the package."""
    match = FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"].split("site-packages/")[-1].split("/work/main/")[-1]
    return f"{match['function']} ({path})"


def read(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append(([frame_name(f) for f in stack.split(";")], int(count)))
    return stacks


def summarise(
    stacks: list[tuple[list[str], int]], match: str
) -> tuple[Counter[str], Counter[str], int]:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for frames, count in stacks:
        total += count
        own[frames[-1]] += count
        for name in set(frames[1:]):
            if match in name:
                inclusive[name] += count
    return own, inclusive, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", default="", help="inclusive list: only frames containing this")
    args = parser.parse_args()
    own, inclusive, total = summarise(read(args.profile), args.match)
    print(f"{total} samples\n\nself time:")
    for name, count in own.most_common(args.top):
        print(f"{100 * count / total:6.1f}%  {name}")
    print("\ninclusive time:")
    for name, count in inclusive.most_common(args.top):
        print(f"{100 * count / total:6.1f}%  {name}")


if __name__ == "__main__":
    main()
