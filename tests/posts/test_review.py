"""The review policy: watch words as whole words, exceptions, short bodies, images, age, dates."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

import pytest

from syndicator.posts.review import ReviewSubject, describe, reasons, watch_words_in
from syndicator.settings_models import ReviewSettings

NOW = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
BODY = (
    "Ủy ban nhân dân tỉnh thông báo kế hoạch triển khai chuyển đổi số năm 2027 tới các sở, ngành."
)
WORDS = ["mật", "tối mật", "tuyệt mật"]
EXCEPTIONS = ReviewSettings().watch_exceptions


def subject(title: str = "Tin tức", text: str = BODY, **changes: object) -> ReviewSubject:
    values: dict[str, object] = {
        "title": title,
        "text": text,
        "published": NOW - timedelta(hours=2),
        "item_flags": frozenset(),
        "render_flags": (),
        "render_error": None,
    }
    values.update(changes)
    return ReviewSubject(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Bảo vệ bí mật nhà nước trong cơ quan", ["mật"]),
        ("Tài liệu TỐI MẬT đã được thu hồi", ["mật", "tối mật"]),
        ("Văn bản tuyệt mật", ["mật", "tuyệt mật"]),
        ("Hội chợ mật ong Quảng Ngãi", []),
        ("Đổi mật khẩu tài khoản dịch vụ công", []),
        ("Quan hệ mật thiết giữa hai tỉnh", []),
        ("Mật ong và bí mật nhà nước", ["mật"]),
        ("mậtx không phải là từ", []),
        ("Tin về mật độ dân số", []),
    ],
)
def test_watch_words_are_whole_words_with_exceptions(text: str, found: list[str]) -> None:
    """Watch words match as whole words, case-insensitively; exception phrases are innocent."""
    assert watch_words_in(text, WORDS, EXCEPTIONS) == found


def test_watch_words_survive_decomposed_text() -> None:
    """A title written in NFD (decomposed accents) is caught just the same."""
    nfd = unicodedata.normalize("NFD", "Văn bản tối mật")
    assert "tối mật" in watch_words_in(nfd, WORDS, EXCEPTIONS)


def test_clean_subject_has_no_reason() -> None:
    """An ordinary recent article with a body, an image and a good date passes."""
    assert reasons(subject(), ReviewSettings(), NOW) == []


def test_each_rule_gives_its_reason() -> None:
    """Short body, missing image, old item, clamped date and template error each give a reason."""
    found = reasons(
        subject(
            text="Ngắn",
            published=NOW - timedelta(days=10),
            item_flags=frozenset({"date_clamped"}),
            render_flags=("no_image",),
            render_error="templates/zalo.j2 line 3: boom",
        ),
        ReviewSettings(),
        NOW,
    )
    assert found == [
        "short_body",
        "no_image",
        "old_item:10",
        "date_clamped",
        "template_error:templates/zalo.j2 line 3: boom",
    ]


def test_old_item_edge_is_max_age_days() -> None:
    """An article exactly `review.max_age_days` old passes; a second older it waits, and the
    reason says how many whole days old it is."""
    policy = ReviewSettings(max_age_days=7)
    at_the_edge = subject(published=NOW - timedelta(days=7))
    past_it = subject(published=NOW - timedelta(days=7, seconds=1))
    assert reasons(at_the_edge, policy, NOW) == []
    assert reasons(past_it, policy, NOW) == ["old_item:7"]


def test_short_body_edge_is_min_body_chars() -> None:
    """A body of exactly `review.min_body_chars` characters (spaces around it not counted)
    passes; one character fewer is a short body."""
    policy = ReviewSettings(min_body_chars=len(BODY))
    assert reasons(subject(text=f"  {BODY}\n"), policy, NOW) == []
    assert reasons(subject(text=f"  {BODY[:-1]}\n"), policy, NOW) == ["short_body"]


def test_watch_word_in_title_is_a_reason() -> None:
    """A watch word in the title forces review and names the word."""
    assert reasons(subject(title="Văn bản tối mật"), ReviewSettings(), NOW) == [
        "watch_word:mật",
        "watch_word:tối mật",
    ]


def test_reasons_read_in_vietnamese() -> None:
    """Each reason code has a Vietnamese sentence for editors, with its detail."""
    assert describe("watch_word:tối mật") == "Có từ cần kiểm tra (bí mật nhà nước): tối mật."
    assert describe("old_item:10") == "Tin đã cũ (đăng từ 10 ngày trước)."
    assert describe("short_body") == "Nội dung trống hoặc quá ngắn."


def test_a_reason_without_a_sentence_is_shown_as_its_code() -> None:
    """A code stored by a newer version (no sentence here yet) is shown as written, not lost."""
    assert describe("source_blocked:skhcn.example.gov.vn") == "source_blocked"
