"""The classification of an item: keywords as whole words of the title, whatever the case and
accents; url paths in the link's path only; the first rule in the settings wins, wherever its
keyword stands in the title; else the feed's category, else uncategorized."""

from __future__ import annotations

import unicodedata

import pytest

from storage.search_text import search_text
from syndicator.report.classify import UNCATEGORIZED, Classifier
from syndicator.report_settings import RuleSettings

RULES = (
    RuleSettings(category="dau-thau", keywords=["đấu thầu", "mời thầu"], url_paths=["/dau-thau"]),
    RuleSettings(category="ket-qua", keywords=["kết quả đấu thầu"]),
    RuleSettings(category="dau-tu", keywords=["dự án đầu tư", "đầu tư"]),
    RuleSettings(category="pho-bien", keywords=["phổ biến, giáo dục pháp luật"]),
    RuleSettings(category="van-ban", keywords=["QĐ-UBND"], url_paths=["/van-ban", "/VBPQ"]),
    RuleSettings(category="ke-hoach", keywords=["kế hoạch"]),
)
CLASSIFIER = Classifier.compile(RULES)
NEWS = "https://tinhphong.quangngai.gov.vn/tin-tuc/bai-viet-1"


def category(title: str, link: str | None = NEWS, default: str = "tin-tuc") -> str:
    return CLASSIFIER.category(search_text(title), link, default)


@pytest.mark.parametrize(
    "title",
    [
        "Thông báo mời thầu gói thầu xây lắp trường mầm non",
        "KẾT QUẢ ĐẤU THẦU gói thầu số 3",  # "đấu thầu" is rule 1, before "kết quả đấu thầu"
        "Dau thau qua mang nam 2026",  # typed without accents
        unicodedata.normalize("NFD", "Đấu thầu mua sắm thuốc"),  # decomposed marks
    ],
)
def test_keywords_match_whole_words_in_any_case_and_accents(title: str) -> None:
    """'đấu thầu' and 'mời thầu' find their words in upper case, without accents, decomposed."""
    assert category(title) == "dau-thau"


def test_a_keyword_is_never_part_of_a_longer_word() -> None:
    """'đầu tư' is not found in 'đầu tuần' (folded, 'dau tu' starts 'dau tuan')."""
    assert category("Họp giao ban đầu tuần của Ủy ban nhân dân xã") == "tin-tuc"
    assert category("Thu hút đầu tư vào khu công nghiệp") == "dau-tu"


def test_the_first_rule_wins_wherever_its_keyword_stands() -> None:
    """The settings' order decides, not the title's: 'kế hoạch' comes first in the title, but
    the documents rule comes first in the settings."""
    assert category("Kế hoạch triển khai Quyết định 12/QĐ-UBND của tỉnh") == "van-ban"


def test_punctuation_separates_words() -> None:
    """A keyword with a comma matches the title with or without it; 'QĐ-UBND' is two words;
    typographic quotes, dashes and a no-break space separate words too."""
    assert category("Hội nghị phổ biến giáo dục pháp luật năm 2026") == "pho-bien"
    assert category("Phổ biến, giáo dục pháp luật cho đồng bào dân tộc thiểu số") == "pho-bien"
    assert category("Số 45/QĐ-UBND ngày 3/12/2026") == "van-ban"
    assert category("Thông báo “mời thầu” gói thầu số 2 – đợt 1") == "dau-thau"
    assert category("Kết quả…đấu\u00a0thầu quý IV") == "dau-thau"


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://sotuphap.quangngai.gov.vn/van-ban/quyet-dinh-45", "van-ban"),
        ("https://sotuphap.quangngai.gov.vn/vi/VBPQ/detail?id=7", "van-ban"),  # any case
        ("https://van-ban.quangngai.gov.vn/tin-tuc/hoi-nghi", "tin-tuc"),  # the host: not the path
        ("https://sotuphap.quangngai.gov.vn/tin-tuc?muc=/van-ban", "tin-tuc"),  # the query: no
        ("/van-ban/quyet-dinh-45", "tin-tuc"),  # not an absolute link: no path is read
        (None, "tin-tuc"),
    ],
)
def test_url_paths_are_looked_for_in_the_links_path(link: str | None, expected: str) -> None:
    assert category("Hội nghị tổng kết công tác năm", link) == expected


def test_an_earlier_rules_path_beats_a_later_rules_keyword() -> None:
    """A bidding notice under /dau-thau/ titled with a plan's words is bidding (rule 1)."""
    link = "https://skhcn.quangngai.gov.vn/dau-thau/ke-hoach-lua-chon"
    assert category("Kế hoạch lựa chọn gói mua sắm thiết bị", link) == "dau-thau"


def test_nothing_matches_the_feeds_category_or_uncategorized() -> None:
    assert category("Khai mạc Techfest Quảng Ngãi 2026") == "tin-tuc"
    assert category("Khai mạc Techfest Quảng Ngãi 2026", default="") == UNCATEGORIZED


def test_no_rules_always_give_the_default() -> None:
    none = Classifier.compile(())
    assert none.category(search_text("Thông báo mời thầu"), NEWS, "tin-tuc") == "tin-tuc"
