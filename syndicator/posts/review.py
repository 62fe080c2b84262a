"""The review policy: which posts must wait for a person, and why. Pure: values in, reasons out.

A feed with `review = "required"` always waits; a feed with `review = "auto"` is approved at
once unless one of these rules fires. Each reason is a stable code; REASON_TEXT gives the
Vietnamese sentence editors see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from syndicator.ingest.normalize.text import fold, phrase_pattern
from syndicator.settings_models import ReviewSettings

REASON_TEXT = {
    "review_required": "Nguồn tin này luôn cần biên tập viên duyệt.",
    "watch_word": "Có từ cần kiểm tra (bí mật nhà nước): {detail}.",
    "short_body": "Nội dung trống hoặc quá ngắn.",
    "no_image": "Không có ảnh bìa, kênh này cần ảnh.",
    "old_item": "Tin đã cũ (đăng từ {detail} ngày trước).",
    "date_clamped": "Ngày đăng ghi ở tương lai; đã lấy thời điểm thu thập.",
    "template_error": "Mẫu bài đăng bị lỗi: {detail}.",
    "repost": "Bài đăng lại theo yêu cầu.",
}


@dataclass(frozen=True, slots=True)
class ReviewSubject:
    """What the policy looks at for one post."""

    title: str
    text: str  # the item's summary (plain text)
    published: datetime | None
    item_flags: frozenset[str]
    render_flags: tuple[str, ...]
    render_error: str | None


def reasons(subject: ReviewSubject, settings: ReviewSettings, now: datetime) -> list[str]:
    """Reasons that force review, each "code" or "code:detail", in a stable order."""
    found = [
        f"watch_word:{word}"
        for word in watch_words_in(
            f"{subject.title}\n{subject.text}", settings.watch_words, settings.watch_exceptions
        )
    ]
    if len(subject.text.strip()) < settings.min_body_chars:
        found.append("short_body")
    if "no_image" in subject.render_flags:
        found.append("no_image")
    if subject.published and now - subject.published > timedelta(days=settings.max_age_days):
        found.append(f"old_item:{(now - subject.published).days}")
    if "date_clamped" in subject.item_flags:
        found.append("date_clamped")
    if subject.render_error:
        found.append(f"template_error:{subject.render_error}")
    return found


def watch_words_in(text: str, words: Iterable[str], exceptions: Iterable[str]) -> list[str]:
    """Watch words found as whole words (NFC, case-insensitive), once exception phrases are removed."""
    folded = fold(text)
    for phrase in exceptions:
        folded = _whole(phrase).sub(" ", folded)
    return [word for word in words if _whole(word).search(folded)]


def describe(reason: str) -> str:
    """The Vietnamese sentence for a reason code ("watch_word:mật" → "... : mật.")."""
    code, _, detail = reason.partition(":")
    template = REASON_TEXT.get(code, code)
    return template.format(detail=detail) if "{detail}" in template else template


def _whole(phrase: str) -> re.Pattern[str]:
    # Whole words only: "mật" does not match inside "mậtx".
    return re.compile(rf"(?<!\w){phrase_pattern(phrase)}(?!\w)")
