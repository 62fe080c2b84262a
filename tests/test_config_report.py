"""`[report]` settings: the defaults, the bundled category list and rules, thresholds at their
edge, and one clear line for each mistake (a duplicate category, a rule or a feed naming an
unknown one, a rule that matches nothing, mail without a recipient)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from syndicator.config import Settings, load_settings
from syndicator.errors import ConfigError
from tests.helpers.paths import ROOT

CATEGORIES = """
[[report.categories]]
id = "van-ban"
name = "Văn bản quy phạm pháp luật, văn bản quản lý hành chính"
required = true

[[report.categories]]
id = "tin-tuc"
name = "Tin tức, sự kiện"
"""

RULE = """
[[report.rules]]
category = "{category}"
keywords = ["quyết định số"]
"""


def feed(category: str, stale_after: str | None = None) -> str:
    threshold = f'stale_after = "{stale_after}"\n' if stale_after else ""
    return (
        '[[feeds]]\nid = "xa-tinh-phong"\nname = "Xã Tịnh Phong"\n'
        f'url = "https://tinhphong.quangngai.gov.vn/rss"\ncategory = "{category}"\n{threshold}'
    )


def load(tmp_path: Path, body: str) -> Settings:
    path = tmp_path / "settings.toml"
    path.write_text(body, encoding="utf-8")
    return load_settings(path)


def refused(tmp_path: Path, body: str) -> str:
    with pytest.raises(ConfigError) as error:
        load(tmp_path, body)
    message = str(error.value)
    assert "\n" not in message
    return message


def test_defaults(tmp_path: Path) -> None:
    """No [report]: stale after 7 days, 30-day period, the weekly file, no mail, no category."""
    report = load(tmp_path, "").report
    assert (report.stale_after, report.period) == (timedelta(days=7), timedelta(days=30))
    assert (report.folder, report.weekly, report.email) == ("var/reports", True, False)
    assert report.categories == [] and report.rules == []


def test_without_categories_a_feeds_category_is_free_text(tmp_path: Path) -> None:
    """With no category list a feed's category is shown as written, not checked."""
    assert load(tmp_path, feed("tin-tuc-su-kien")).feeds[0].category == "tin-tuc-su-kien"


def test_bundled_settings_list_the_required_categories() -> None:
    """The shipped list: the decree's items and the directive's additions required, the
    example feeds' categories known and not required, every rule naming a known category."""
    report = load_settings(ROOT / "settings.toml").report
    required = {c.id for c in report.categories if c.required}
    assert required == {
        "van-ban",
        "thu-tuc-hanh-chinh",
        "pho-bien-phap-luat",
        "quy-hoach-ke-hoach",
        "to-chuc",
        "tai-chinh-thong-ke",
        "danh-muc-cong-khai",
        "dau-thau",
        "du-an-dau-tu",
        "mua-sam-cong",
        "ho-tro-nguoi-dan-doanh-nghiep",
    }
    optional = {c.id for c in report.categories if not c.required}
    assert {"tin-tuc", "chinh-sach", "ho-tro-doanh-nghiep", "dieu-uoc-quoc-te"} == optional
    assert all(c.name[0].isupper() for c in report.categories)
    assert {rule.category for rule in report.rules} <= required | optional


@pytest.mark.parametrize(("written", "days"), [("1d", 1), ("14d", 14), ("2w", 14), ("3650d", 3650)])
def test_a_feeds_own_threshold(tmp_path: Path, written: str, days: int) -> None:
    settings = load(tmp_path, feed("", stale_after=written))
    assert settings.feeds[0].stale_after == timedelta(days=days)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("23h", 'must be at least "1d"'),  # just under the floor
        ("36h", "must be whole days"),
        ("0s", 'must be at least "1d"'),
        ("seven days", "'seven days' is not a duration"),
    ],
)
def test_a_threshold_is_whole_days_from_one(tmp_path: Path, written: str, expected: str) -> None:
    message = refused(tmp_path, f'[report]\nstale_after = "{written}"\n')
    assert f"report.stale_after: {expected}" in message
    message = refused(tmp_path, feed("", stale_after=written))
    assert f"feeds[0].stale_after: {expected}" in message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            CATEGORIES + CATEGORIES,
            "report: report.categories[2].id: 'van-ban' is used twice; give each category its "
            "own id",
        ),
        (
            CATEGORIES + RULE.format(category="van-ban-qppl"),
            "report.rules[0].category: unknown category 'van-ban-qppl'; add it to "
            "[[report.categories]] or use one of: van-ban, tin-tuc",
        ),
        (
            CATEGORIES + feed("tin-tuc-su-kien"),
            "feeds[0].category: unknown category 'tin-tuc-su-kien'; add it to "
            "[[report.categories]] or use one of: van-ban, tin-tuc",
        ),
        (
            CATEGORIES + '[[report.rules]]\ncategory = "van-ban"\n',
            "the rule for 'van-ban' has neither keywords nor url_paths",
        ),
        (
            CATEGORIES + '[[report.rules]]\ncategory = "van-ban"\nkeywords = ["", "nghị định"]\n',
            "report.rules[0].keywords: holds an empty string",
        ),
        (
            '[[report.categories]]\nid = "Văn bản"\nname = "Văn bản"\n',
            "report.categories[0].id: 'Văn bản' is not a slug",
        ),
        (
            '[[report.categories]]\nid = "van-ban"\nname = " "\n',
            "report.categories[0].name: must not be empty",
        ),
        ("[report]\nemail = true\n", "report.email is true but alerts.email_to is empty"),
        ('[report]\nperiod = "12h"\n', 'report.period: must be at least "1d"'),
        ('[report]\nstale_afterr = "7d"\n', "report.stale_afterr: unknown setting"),
    ],
)
def test_a_wrong_report_setting_is_one_clear_line(tmp_path: Path, body: str, expected: str) -> None:
    assert expected in refused(tmp_path, body)


def test_a_known_category_and_an_empty_one_are_accepted(tmp_path: Path) -> None:
    """A feed naming a listed category, or none (uncategorized), loads."""
    settings = load(tmp_path, CATEGORIES + feed("tin-tuc") + feed("").replace("xa-", "phuong-"))
    assert [f.category for f in settings.feeds] == ["tin-tuc", ""]
