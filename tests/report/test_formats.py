"""The report as JSON (the documented keys, times with their offset, Vietnamese unescaped) and
as CSV (a byte order mark for Excel, the documented header, one row per portal, stalest
first, nothing written for a portal that never published)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

from storage.reach_views import COUNTERS, ReachTotals, Sum
from syndicator.report.formats import BOM, CSV_COLUMNS, REACH_COLUMNS, to_csv, to_json
from tests.helpers.report_values import empty_report, sample_report

PORTAL_KEYS = {
    "feed",
    "name",
    "agency",
    "items",
    "per_week",
    "weekly",
    "last_item_at",
    "days_since",
    "stale",
    "stale_after_days",
    "errors",
    "published",
    "reach",  # added by issue #14, at the end
}
REACH_KEYS = ["posts"] + [key for name in COUNTERS for key in (name, f"{name}_unknown")]


def test_json_has_the_documented_keys() -> None:
    document = json.loads(to_json(sample_report()))
    assert set(document) == {
        "since",
        "until",
        "generated_at",
        "weeks",
        "portals",
        "categories",
        "category_list",
        "totals",
    }
    assert all(set(portal) == PORTAL_KEYS for portal in document["portals"])
    assert all(
        set(agency) == {"agency", "items", "empty_required"} for agency in document["categories"]
    )
    assert list(document["totals"]) == ["portals", "stale", "items", "errors", "published", "reach"]
    assert all(list(portal["reach"]) == REACH_KEYS for portal in document["portals"])
    assert document["category_list"][0] == {
        "id": "van-ban",
        "name": "Văn bản quy phạm pháp luật, văn bản quản lý hành chính",
        "required": True,
    }


def test_json_values() -> None:
    """Times in ISO 8601 with their offset; a portal that never published has nulls."""
    text = to_json(sample_report())
    assert "Sở Xây dựng" in text  # not \\u escapes
    document = json.loads(text)
    assert document["until"] == "2026-12-06T17:00:00+00:00"
    assert document["weeks"][0] == "2026-11-02"
    never, stale, fresh = document["portals"]
    assert (never["feed"], never["last_item_at"], never["days_since"]) == (
        "so-xay-dung",
        None,
        None,
    )
    assert stale["last_item_at"] == "2026-11-24T02:15:00+00:00"
    assert (stale["days_since"], stale["stale"], stale["errors"]) == (12, True, 4)
    assert fresh["published"] == {"facebook": 12, "zalo": 9} and fresh["per_week"] == 5.8
    assert document["categories"][0] == {
        "agency": "Sở Tư pháp",
        "items": {"van-ban": 14, "thu-tuc": 8, "tin-tuc": 3},
        "empty_required": ["quy-hoach"],
    }
    assert document["totals"]["published"] == {"facebook": 14, "zalo": 10}


def test_csv_has_the_documented_header_and_a_row_per_portal() -> None:
    """UTF-8 with a byte order mark; the header then one row per portal in the report's order."""
    text = to_csv(sample_report())
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert rows[0] == [*CSV_COLUMNS, "published_facebook", "published_zalo", *REACH_COLUMNS]
    assert rows[0][:10] == [
        "feed",
        "name",
        "agency",
        "items",
        "per_week",
        "last_item_at",
        "days_since",
        "stale",
        "stale_after_days",
        "errors",
    ]
    assert [row[0] for row in rows[1:]] == ["so-xay-dung", "xa-tan-phu", "so-tu-phap"]
    assert rows[1][: -len(REACH_COLUMNS)] == ["so-xay-dung", "Cổng thông tin Sở Xây dựng", "Sở Xây dựng", "0", "0.00",
                       "", "", "true", "7", "0", "0", "0"]  # fmt: skip
    assert rows[3][3 : -len(REACH_COLUMNS)] == ["25", "5.80", "2026-12-05T02:30:00+00:00", "1", "false", "7", "0",
                           "12", "9"]  # fmt: skip


def test_csv_reads_back_as_excel_would_with_the_bom() -> None:
    """Encoded as the command writes it, 'utf-8-sig' reads the Vietnamese names back."""
    raw = to_csv(sample_report()).encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[1]["name"] == "Cổng thông tin điện tử xã Tân Phú"


def test_an_empty_report_is_still_a_document() -> None:
    """No portal at all: an empty list in JSON, the header alone in CSV."""
    document = json.loads(to_json(empty_report()))
    assert document["portals"] == [] and document["totals"]["items"] == 0
    assert to_csv(empty_report()) == BOM + ",".join([*CSV_COLUMNS, *REACH_COLUMNS]) + "\r\n"


def test_reach_figures_are_added_at_the_end_with_unknowns_apart() -> None:
    """A portal's posts and their summed latest counters: a counter no post gave is null in
    JSON and empty in CSV (never 0), with the posts that did not give it counted apart; a
    portal with no post sums to 0."""
    reach = ReachTotals(
        3,
        {name: Sum() for name in COUNTERS}
        | {"reactions": Sum(47, 2), "shares": Sum(0, 3), "views": Sum(150, 1)},
    )
    report = sample_report()
    portals = (*report.portals[:2], dataclasses.replace(report.portals[2], reach=reach))
    report = dataclasses.replace(
        report, portals=portals, totals=dataclasses.replace(report.totals, reach=reach)
    )
    document = json.loads(to_json(report))
    fresh = document["portals"][2]["reach"]
    assert fresh == {
        "posts": 3, "reactions": 47, "reactions_unknown": 1, "comments": None,
        "comments_unknown": 3, "shares": 0, "shares_unknown": 0, "impressions": None,
        "impressions_unknown": 3, "clicks": None, "clicks_unknown": 3, "views": 150,
        "views_unknown": 2,
    }  # fmt: skip
    assert document["totals"]["reach"] == fresh
    assert document["portals"][0]["reach"]["reactions"] == 0  # no post: nothing to be unknown
    rows = list(csv.reader(io.StringIO(to_csv(report).removeprefix(BOM))))
    assert rows[3][-len(REACH_COLUMNS) :] == [
        "3", "47", "1", "", "3", "0", "0", "", "3", "", "3", "150", "2"
    ]  # fmt: skip
    assert rows[1][-len(REACH_COLUMNS) :] == ["0"] * len(REACH_COLUMNS)
