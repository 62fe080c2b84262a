"""A province's database with known report figures (issue #12), for the tests of the measures,
the service and `syndicator report`. The period is the 30 days before Monday 7/12/2026 07:00 in
Hanoi time (00:00 UTC): from Saturday 7/11 07:00, six local weeks (Mondays 2/11 to 7/12, the
last one seven hours long).

Five portals of four agencies:
- skhcn (Sở KH&CN, news): five items in the period, one of them exactly at its start; one at
  exactly its end (not counted); a post on both channels, another on one; one failed poll.
- skhcn-vanban (Sở KH&CN, documents): two items, one shared with skhcn, one with no date.
- syt (Sở Y tế, stale after 14 days): its last item ten days before the end, not stale.
- xa-tinh-phong (commune): its last item 35 days before the end (before the period), stale;
  failed polls inside and outside the period.
- xa-ba-to (commune, disabled): never published.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from storage import feeds as feed_store
from storage.models import Item, ItemSource, Post
from storage.search_text import search_text
from storage.session import writing
from syndicator.app import App
from syndicator.config import load_settings
from tests.helpers.clock import FakeClock

UNTIL = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # Monday 07:00 in Asia/Ho_Chi_Minh
SINCE = UNTIL - timedelta(days=30)
DAY = timedelta(days=1)

SETTINGS = """
timezone = "Asia/Ho_Chi_Minh"

[database]
url = "{url}"

[channels.fanpage]
type = "sandbox"
folder = "outbox/fanpage"

[channels.zalo-oa]
type = "sandbox"
folder = "outbox/zalo"

[report]
stale_after = "7d"

[[report.categories]]
id = "van-ban"
name = "Văn bản quy phạm pháp luật, văn bản quản lý hành chính"
required = true

[[report.categories]]
id = "thu-tuc-hanh-chinh"
name = "Thủ tục hành chính, dịch vụ công trực tuyến"
required = true

[[report.categories]]
id = "dau-thau"
name = "Thông tin đấu thầu"
required = true

[[report.categories]]
id = "tin-tuc"
name = "Tin tức, sự kiện"

[[report.rules]]
category = "dau-thau"
keywords = ["mời thầu", "đấu thầu"]
url_paths = ["/dau-thau"]

[[report.rules]]
category = "thu-tuc-hanh-chinh"
keywords = ["thủ tục hành chính"]

[[report.rules]]
category = "van-ban"
keywords = ["quyết định số"]
url_paths = ["/van-ban"]

[[feeds]]
id = "skhcn"
name = "Sở Khoa học và Công nghệ"
url = "https://skhcn.quangngai.gov.vn/rss/tin-tuc.rss"
agency = "Sở Khoa học và Công nghệ"
category = "tin-tuc"
channels = ["fanpage", "zalo-oa"]

[[feeds]]
id = "skhcn-vanban"
name = "Sở Khoa học và Công nghệ — Văn bản"
url = "https://skhcn.quangngai.gov.vn/rss/van-ban.rss"
agency = "Sở Khoa học và Công nghệ"
category = "tin-tuc"

[[feeds]]
id = "syt"
name = "Sở Y tế"
url = "https://syt.quangngai.gov.vn/rss"
agency = "Sở Y tế"
category = "tin-tuc"
stale_after = "14d"
channels = ["fanpage"]

[[feeds]]
id = "xa-tinh-phong"
name = "Xã Tịnh Phong"
url = "https://tinhphong.quangngai.gov.vn/rss"
agency = "UBND xã Tịnh Phong"
category = "tin-tuc"

[[feeds]]
id = "xa-ba-to"
name = "Xã Ba Tô"
url = "https://bato.quangngai.gov.vn/rss"
agency = "UBND xã Ba Tô"
category = "tin-tuc"
enabled = false
"""

# (key, title, feeds, published_at (None: no date), link path)
ITEMS = (
    ("a", "Sở KH&CN tổ chức Hội nghị chuyển đổi số năm 2026", ("skhcn",), UNTIL - timedelta(hours=3),
     "/tin-tuc/hoi-nghi-chuyen-doi-so"),
    ("b", "Thông báo mời thầu gói thầu mua sắm thiết bị phòng thí nghiệm", ("skhcn",),
     UNTIL - 5 * DAY, "/tin-tuc/thong-bao-moi-thau"),
    ("c", "Quyết định số 125/QĐ-SKHCN công bố thủ tục hành chính lĩnh vực sở hữu trí tuệ",
     ("skhcn", "skhcn-vanban"), UNTIL - 4 * DAY, "/van-ban/qd-125"),
    ("d", "Kế hoạch ứng dụng công nghệ thông tin năm 2027", ("skhcn-vanban",), None,
     "/van-ban/ke-hoach-ung-dung-cntt-2027"),
    ("e", "Khai mạc Techfest Quảng Ngãi 2026", ("skhcn",), SINCE, "/tin-tuc/techfest-2026"),
    ("f", "Tọa đàm khởi nghiệp đổi mới sáng tạo", ("skhcn",), UNTIL, "/tin-tuc/toa-dam"),
    ("g", "Xã Tịnh Phong ra quân hưởng ứng Ngày Chủ nhật xanh", ("xa-tinh-phong",),
     UNTIL - 35 * DAY, "/tin-tuc/chu-nhat-xanh"),
    ("g0", "Xã Tịnh Phong tổ chức Đại hội Thể dục thể thao", ("xa-tinh-phong",),
     UNTIL - 60 * DAY, "/tin-tuc/dai-hoi-tdtt"),
    ("h", "Sở Y tế khuyến cáo phòng, chống sốt xuất huyết", ("syt",), UNTIL - 10 * DAY,
     "/tin-tuc/sot-xuat-huyet"),
    ("i", "Hướng dẫn thủ tục hành chính cấp chứng chỉ hành nghề khám bệnh, chữa bệnh",
     ("syt", "skhcn"), UNTIL - 12 * DAY, "/tin-tuc/huong-dan-chung-chi"),
)  # fmt: skip
D_CREATED = UNTIL - 3 * DAY  # item d has no date: its time is when it was stored

# (item key, channel, published_at)
POSTS = (
    ("a", "fanpage", UNTIL - timedelta(hours=2)),
    ("a", "zalo-oa", UNTIL - timedelta(hours=1)),
    ("b", "fanpage", UNTIL - 4 * DAY),
    ("e", "fanpage", SINCE - timedelta(hours=1)),  # before the period
    ("h", "fanpage", UNTIL - 9 * DAY),
)

# (feed, UTC day, failed polls)
FAILURES = (
    ("xa-tinh-phong", (UNTIL - 2 * DAY).date(), 3),
    ("xa-tinh-phong", SINCE.date(), 4),  # the day the period starts: counted
    ("xa-tinh-phong", (SINCE - DAY).date(), 5),  # the day before: not
    ("xa-tinh-phong", (UNTIL - 40 * DAY).date(), 2),
    ("skhcn", (UNTIL - DAY).date(), 1),
    ("skhcn", UNTIL.date(), 6),  # the day the period ends at its first instant: not
)


def fill(engine: Engine) -> dict[str, int]:
    """The items, posts and failed polls above; returns the items' ids by key."""
    ids: dict[str, int] = {}
    with writing(engine) as session:
        for key, title, feeds, published, path in ITEMS:
            item = _item(key, title, feeds[0], published, path)
            session.add(item)
            session.flush()
            assert item.id is not None
            ids[key] = item.id
            for feed_id in feeds:
                session.add(_source(item.id, feed_id, key, path, item.created_at))
        for key, channel, at in POSTS:
            session.add(_post(ids[key], channel, _feed_of(key), at))
        for feed_id, day, failures in FAILURES:
            for _ in range(failures):
                feed_store.count_failed_poll(session, feed_id, day)
    return ids


def _item(key: str, title: str, feed: str, published: datetime | None, path: str) -> Item:
    created = D_CREATED if published is None else published + timedelta(minutes=7)
    return Item(
        link=f"https://{feed}.quangngai.gov.vn{path}",
        title=title,
        title_key=hashlib.sha256(title.encode()).hexdigest(),
        # Item e is stored as a hand-made insert would: without its searched form.
        search_text=None if key == "e" else search_text(title),
        published_at=published,
        first_feed_id=feed,
        created_at=created,
    )


def _source(item_id: int, feed_id: str, key: str, path: str, seen: datetime) -> ItemSource:
    return ItemSource(
        item_id=item_id,
        feed_id=feed_id,
        source_key=f"guid:{feed_id}-{key}",
        link=f"https://{feed_id}.quangngai.gov.vn{path}",
        seen_at=seen,
    )


def _post(item_id: int, channel: str, feed_id: str, at: datetime) -> Post:
    return Post(
        item_id=item_id,
        channel=channel,
        feed_id=feed_id,
        status="published",
        published_at=at,
        remote_id=f"{channel}-{item_id}",
        created_at=at - timedelta(hours=1),
        updated_at=at,
    )


def _feed_of(key: str) -> str:
    return next(feeds[0] for k, _, feeds, _, _ in ITEMS if k == key)


def province_app(engine: Engine, tmp_path: Path, now: datetime = UNTIL) -> App:
    """An App over `engine` with the province's settings, its clock at `now`."""
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / "settings.toml"
    path.write_text(SETTINGS.format(url=url), encoding="utf-8")
    return App(load_settings(path), FakeClock(now))
