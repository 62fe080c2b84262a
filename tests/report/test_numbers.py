"""Numbers as the reader writes them, one decimal at most."""

from __future__ import annotations

import pytest

from syndicator.report.numbers import number


@pytest.mark.parametrize(
    ("value", "vietnamese", "english"),
    [
        (0, "0", "0"),
        (25, "25", "25"),
        (5.83, "5,8", "5.8"),
        (1.0, "1", "1"),
        (1234, "1.234", "1,234"),
        (1234567.25, "1.234.567,2", "1,234,567.2"),
    ],
)
def test_numbers_in_each_language(value: float, vietnamese: str, english: str) -> None:
    assert number(value, "vi") == vietnamese
    assert number(value, "en") == english
