"""Zalo's documented limits (research/zalo-oa.md §1, §2), apart so the kind loads without HTTP."""

from __future__ import annotations

from datetime import timedelta

LIMITS = {"title": 150, "author": 50, "description": 300}  # article fields, NFC characters
ACCESS_TOKEN_LIFETIME = timedelta(hours=25)  # documented; used when expires_in is unreadable
REFRESH_TOKEN_LIFETIME = timedelta(days=90)  # "3 months from issue"
