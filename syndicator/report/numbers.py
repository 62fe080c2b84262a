"""Numbers as the reader writes them: 1.234,5 in Vietnamese, 1,234.5 in English.

Babel knows each language's symbols; the formatting itself is Python's, because Babel's
format_decimal, called for each of a thousand portals' cells, took seconds.
"""

from __future__ import annotations

from functools import cache

from babel.numbers import get_decimal_symbol, get_group_symbol


def number(value: float, language: str) -> str:
    """At most one decimal: 1.234 and 5,8 in Vietnamese."""
    group, decimal = _symbols(language)
    written = f"{value:,.1f}".removesuffix(".0")
    return written.translate({ord(","): group, ord("."): decimal})


@cache
def _symbols(language: str) -> tuple[str, str]:
    return get_group_symbol(locale=language), get_decimal_symbol(locale=language)
