"""How big a value a template operation would build, worked out before the operation runs.

The sandbox asks these before it calls `center`, `replace`, `%`, `.format`, `join`, … so that
`''.center(10**9)` is refused after reading two numbers, not after a gigabyte has been built.
Each answer is an upper bound on the length of the result's text, so a refusal may come a little
early but never late. Strings, bytes and containers are measured; any other object counts as
short, because a template cannot build a big one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from string import Formatter
from typing import Any

_SHORT = 24  # len(str(x)) of another kind of object: None, a number, a date, a macro
# One %-conversion: an optional (key), flags, width and precision (digits or "*"), its type.
_PERCENT_SPEC = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.?)")
_DIGITS = re.compile(r"\d+")


def text_size(value: Any, limit: int) -> int:
    """An upper bound on len(str(value)), counted until it passes `limit` (then it stops)."""
    if isinstance(value, str):
        return len(value)
    total, stack = 0, [value]
    while stack and total <= limit:  # a loop, not recursion: nesting may be deep
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) + 2  # the quotes around it in a container's text
        elif isinstance(item, bytes | bytearray):
            total += 4 * len(item) + 3  # b'…' with \x escapes
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 2  # digits and sign
        elif isinstance(item, list | tuple | set | frozenset | dict):
            total += 2 + 2 * len(item)  # brackets and ", " (or ": ") between elements
            if total <= limit:
                stack.extend(item.items() if isinstance(item, dict) else item)
        else:
            total += _SHORT
    return total


def total_size(values: Iterable[Any], limit: int) -> int:
    """The sum of the values' text sizes, counted until it passes `limit`."""
    total = 0
    for value in values:
        total += text_size(value, limit)
        if total > limit:
            break
    return total


def padded_size(text: str | bytes, width: int) -> int:
    """center, ljust, rjust, zfill: the text, or `width` when that is longer."""
    return max(len(text), width)


def tabs_size(text: str | bytes, tabsize: int) -> int:
    """expandtabs: every tab may become `tabsize` spaces."""
    tab = "\t" if isinstance(text, str) else b"\t"
    return len(text) + text.count(tab) * max(tabsize, 0)  # type: ignore[arg-type]


def replaced_size(text: Any, old: Any, new: Any, count: int | None) -> int:
    """replace: each `old` found (an empty one matches around every character) becomes `new`."""
    found = text.count(old) if old else len(text) + 1
    if count is not None and count >= 0:
        found = min(found, count)
    return int(len(text) + found * max(len(new) - len(old), 0))


def joined_size(separator: str | bytes, items: Sequence[Any], limit: int) -> int:
    """join: every item's text, and the separator between each two."""
    return max(len(items) - 1, 0) * len(separator) + total_size(items, limit)


def translated_size(text: str | bytes, table: Any) -> int:
    """translate: every character may become the longest replacement in the table."""
    longest = 1
    if isinstance(table, Mapping):
        longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
    return len(text) * max(longest, 1)


def percent_size(template: str, values: Any, limit: int) -> int:
    """`template % values`: the template, each value's text, and every width and precision."""
    found = list(_PERCENT_SPEC.finditer(template))
    specs: list[tuple[str | None, ...]] = [match.groups() for match in found]  # key, width, …
    numbers = [str(part) for spec in specs for part in spec[1:3] if part]
    literal = len(template) - sum(len(match.group()) for match in found)
    literal += sum(spec[3] == "%" for spec in specs)  # "%%" writes one "%"
    size: int = literal + sum(int(n) for n in numbers if n != "*")
    if isinstance(values, Mapping):  # "%(a)s %(a)s" prints one value twice
        keyed = [values.get(key) for key, *_ in specs if key]
        return size + text_size(values, limit) + total_size(keyed, limit)
    values = values if isinstance(values, tuple) else (values,)
    widest = max((abs(v) for v in values if isinstance(v, int)), default=0)
    return size + total_size(values, limit) + numbers.count("*") * widest  # "%*s" takes a width


def format_size(template: str, args: Sequence[Any], kwargs: Mapping[str, Any], limit: int) -> int:
    """`template.format(...)`: the literal text, and for each field the biggest value it may
    show plus the widths and precisions in its spec (a nested "{}" may take any number given)."""
    values = [*args, *kwargs.values()]
    biggest = max((text_size(v, limit) for v in values), default=0)
    widest = max((abs(v) for v in values if isinstance(v, int)), default=0)
    size = 0
    for literal, field, spec, _conversion in Formatter().parse(template):
        size += len(literal)
        if field is not None:
            size += biggest + sum(int(n) for n in _DIGITS.findall(spec or ""))
            size += widest if "{" in (spec or "") else 0
    return size


def indented_size(text: str, width: int | str) -> int:
    """indent: every line gets the prefix (`width` spaces, or the string given)."""
    prefix = len(width) if isinstance(width, str) else max(width, 0)
    return len(text) + (text.count("\n") + 2) * prefix + 1


def wrapped_size(text: str, width: int, wrapstring: str) -> int:
    """wordwrap: two lines in a row hold at least `width` characters, so there are at most
    2·len/width breaks per paragraph (and never more than one per character)."""
    breaks = min(len(text), 2 * len(text) // max(width, 1) + text.count("\n")) + 1
    return len(text) + breaks * len(wrapstring)


def filled_size(items: Any, count: int, fill: Any, limit: int) -> int:
    """batch and slice: the items, plus up to `count` new lists or fill values."""
    per_fill = 2 + (text_size(fill, limit) if fill is not None else 0)
    return text_size(items, limit) + max(count, 0) * per_fill


def summed_size(items: Sequence[Any], start: Any, limit: int) -> int:
    """sum: adding lists or strings makes one holding them all; numbers stay small."""
    if all(isinstance(v, int | float) for v in (start, *items)):
        return 0
    return text_size(start, limit) + total_size(items, limit)
