"""The admin page's server time with 100,000 posts (issue #11): the queue page (first page, a
filtered page, a deep page by the keyset `before`) and a post page, in process through the ASGI
app (FastAPI's TestClient), signed in as an approver, on SQLite and on PostgreSQL.

    .venv/bin/python bench/web.py [--posts 100000] [--requests 200] [--skip-postgres]

The database is filled with bulk inserts (SQLAlchemy Core, executemany) of real-looking
Vietnamese items over 12 feeds, each item posted to Facebook and Zalo, with statuses and audit
events as months of work leave them. PostgreSQL gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import _repo  # noqa: F401  (puts the repository on sys.path)
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, insert, text

from bench.machine import ROOT, machine
from connectors.rendering import Rendered
from storage import migrate
from storage.engine import make_engine
from storage.models import AuditEvent, Item, Post
from storage.search_text import stored_search_text
from syndicator.app import App
from syndicator.config import load_settings
from syndicator.services import users
from syndicator.web.app import create_app

PG_ADMIN_URL = os.environ.get(
    "SYNDICATOR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
PASSWORD = "mật khẩu đủ dài 2027"  # noqa: S105  (a throwaway user in a throwaway database)
MEDIAN_MS, P95_MS = 50.0, 150.0
CHUNK = 5000

FEEDS = {
    "skhcn": ("Sở Khoa học và Công nghệ", "skhcn.tinh.gov.vn"),
    "soyte": ("Sở Y tế", "soyte.tinh.gov.vn"),
    "sgddt": ("Sở Giáo dục và Đào tạo", "sgddt.tinh.gov.vn"),
    "stc": ("Sở Tài chính", "stc.tinh.gov.vn"),
    "snnmt": ("Sở Nông nghiệp và Môi trường", "snnmt.tinh.gov.vn"),
    "sxd": ("Sở Xây dựng", "sxd.tinh.gov.vn"),
    "svhttdl": ("Sở Văn hóa, Thể thao và Du lịch", "svhttdl.tinh.gov.vn"),
    "scongthuong": ("Sở Công Thương", "sct.tinh.gov.vn"),
    "snv": ("Sở Nội vụ", "snv.tinh.gov.vn"),
    "ubnd": ("Ủy ban nhân dân tỉnh", "tinh.gov.vn"),
    "phuonghoaloi": ("UBND phường Hòa Lợi", "hoaloi.tinh.gov.vn"),
    "xaphuhoa": ("UBND xã Phú Hòa", "phuhoa.tinh.gov.vn"),
}
ACTIONS = (
    "Triển khai", "Hội nghị sơ kết", "Kế hoạch thực hiện", "Hướng dẫn", "Thông báo về việc",
    "Tăng cường", "Đẩy mạnh", "Tổng kết", "Kiểm tra công tác", "Phát động phong trào",
)  # fmt: skip
SUBJECTS = (
    "chuyển đổi số", "cải cách hành chính", "phòng, chống dịch sốt xuất huyết",
    "tiêm chủng mở rộng", "tuyển sinh lớp 10", "quyết toán ngân sách", "xây dựng nông thôn mới",
    "phòng cháy, chữa cháy", "an toàn thực phẩm", "dịch vụ công trực tuyến toàn trình",
    "bảo vệ môi trường", "sắp xếp đơn vị hành chính cấp xã", "khuyến nông", "du lịch cộng đồng",
)  # fmt: skip
PLACES = (
    "trên địa bàn tỉnh", "tại các xã vùng sâu", "ở các trường học", "tại bộ phận một cửa",
    "đối với doanh nghiệp nhỏ và vừa", "cho đoàn viên thanh niên", "tại các khu công nghiệp",
)  # fmt: skip


def title_of(rng: random.Random, n: int) -> str:
    return f"{rng.choice(ACTIONS)} {rng.choice(SUBJECTS)} {rng.choice(PLACES)} năm 2026 (đợt {n})"


def summary_of(title: str, feed_name: str) -> str:
    return (
        f"{feed_name} thông báo: {title.lower()}. Các cơ quan, đơn vị, địa phương căn cứ "
        "chức năng, nhiệm vụ được giao tổ chức thực hiện nghiêm túc, hiệu quả; báo cáo kết quả "
        "về Ủy ban nhân dân tỉnh trước ngày 15 hằng tháng."
    )


# ---- filling the database ----------------------------------------------------------------


def status_of(rng: random.Random, age_rank: float) -> str:
    """Newest items wait for review; older ones went through: mostly published."""
    if age_rank < 0.03:
        return "pending_review"
    if age_rank < 0.031:
        return "approved"
    roll = rng.random()
    return "rejected" if roll < 0.06 else "failed" if roll < 0.07 else "published"


def rendered_for(channel: str, item: dict[str, Any], feed_name: str) -> dict[str, Any]:
    link, summary = item["link"], item["summary"]
    if channel == "facebook":
        return Rendered("facebook", f"{item['title']}\n\n{summary}\n\n{link}", link,
                        cover=item["image"]).to_json()  # fmt: skip
    body = ({"type": "image", "url": item["image"], "caption": ""},
            {"type": "text", "content": f"<p>{summary}</p>"},
            {"type": "text", "content": f"<p>Nguồn: {feed_name}</p>"})  # fmt: skip
    return Rendered(
        "zalo", f"{summary}\nNguồn: {feed_name}", link, title=item["title"], author=feed_name,
        description=summary[:300], cover=item["image"], body=body,
    ).to_json()  # fmt: skip


def rows_for(n_items: int, seed: int = 11) -> Iterator[tuple[list[dict[str, Any]], ...]]:
    """(items, posts, events) in chunks; ids given here, so the three go in without lookups."""
    rng = random.Random(seed)
    feed_ids = list(FEEDS)
    post_id = event_id = 0
    for start in range(1, n_items + 1, CHUNK):
        items, posts, events = [], [], []
        for item_id in range(start, min(start + CHUNK, n_items + 1)):
            feed = rng.choice(feed_ids)
            name, host = FEEDS[feed]
            title = title_of(rng, item_id)
            at = NOW - timedelta(minutes=7 * (n_items - item_id))
            item = {
                "id": item_id, "canonical_url": f"https://{host}/tin-tuc/{item_id}.html",
                "url_key": uuid.UUID(int=item_id).hex, "link": f"https://{host}/tin-tuc/{item_id}.html",
                "guid": f"{feed}-{item_id}", "title": title, "title_key": uuid.uuid4().hex,
                "search_text": stored_search_text(title),
                "summary": summary_of(title, name), "content_html": f"<p>{summary_of(title, name)}</p>",
                "image": f"https://{host}/anh/{item_id}.jpg", "author": None, "categories": ["tin-tuc"],
                "flags": [], "published_at": at, "first_feed_id": feed, "postable": True, "created_at": at,
            }  # fmt: skip
            items.append(item)
            age_rank = (n_items - item_id) / n_items
            for channel in ("facebook", "zalo"):
                post_id += 1
                status = status_of(rng, age_rank)
                flags = ["review_required"] + (["watch_word:mật"] if rng.random() < 0.02 else [])
                posts.append(post_row(post_id, item, channel, status, flags, name, at))
                for action, to in trail_of(status):
                    event_id += 1
                    events.append({"id": event_id, "post_id": post_id, "at": at, "actor": "system"
                                   if action in ("create", "claim", "publish", "fail") else
                                   "phe-duyet", "action": action, "from_status": None,
                                   "to_status": to, "reason": None})  # fmt: skip
        yield items, posts, events


def post_row(
    post_id: int, item: dict[str, Any], channel: str, status: str, flags: list[str], name: str,
    at: datetime,
) -> dict[str, Any]:  # fmt: skip
    published = status == "published"
    return {
        "id": post_id, "item_id": item["id"], "channel": channel, "feed_id": item["first_feed_id"],
        "generation": 0, "repost_of": None, "status": status, "version": len(trail_of(status)),
        "priority": 0, "rendered": rendered_for(channel, item, name), "edited_text": None,
        "edited_by": None, "edited_at": None, "flags": flags,
        "approved_by": "phe-duyet" if status not in ("pending_review", "rejected") else None,
        "approved_at": at if status not in ("pending_review", "rejected") else None,
        "next_attempt_at": None, "attempts": 1 if published else 0,
        "published_at": at + timedelta(hours=1) if published else None,
        "remote_id": f"{channel}-{post_id}" if published else None,
        "remote_url": f"https://example.invalid/{channel}/{post_id}" if published else None,
        "last_error": "(#100) Invalid parameter" if status == "failed" else None,
        "claimed_by": None, "claim_expires_at": None, "created_at": at, "updated_at": at,
    }  # fmt: skip


def trail_of(status: str) -> list[tuple[str, str]]:
    return {
        "pending_review": [("create", "pending_review")],
        "approved": [("create", "pending_review"), ("approve", "approved")],
        "rejected": [("create", "pending_review"), ("reject", "rejected")],
        "failed": [("create", "pending_review"), ("approve", "approved"), ("claim", "publishing"),
                   ("fail", "failed")],
        "published": [("create", "pending_review"), ("approve", "approved"),
                      ("claim", "publishing"), ("publish", "published")],
    }[status]  # fmt: skip


def fill(engine: Engine, n_posts: int) -> float:
    """Bulk inserts of n_posts / 2 items with a post on each channel; returns seconds."""
    started = time.perf_counter()
    with engine.begin() as connection:
        for items, posts, events in rows_for(n_posts // 2):
            connection.execute(insert(Item), items)
            connection.execute(insert(Post), posts)
            connection.execute(insert(AuditEvent), events)
        if engine.dialect.name == "postgresql":  # ids given by hand: move the sequences on
            for table in ("item", "post", "audit_event"):
                query = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608  (our own table names)
                connection.execute(text(query))
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    return time.perf_counter() - started


# ---- the databases ------------------------------------------------------------------------


@contextmanager
def sqlite_url(folder: Path) -> Iterator[str]:
    yield f"sqlite:///{folder / 'bench.db'}"


@contextmanager
def postgres_url() -> Iterator[str]:
    """A schema of its own on the test database, dropped afterwards."""
    schema = f"bench_web_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def settings_file(folder: Path, url: str) -> Path:
    feeds = "".join(
        f'\n[[feeds]]\nid = "{feed}"\nname = "{name}"\nurl = "https://{host}/rss"\n'
        f'channels = ["facebook", "zalo"]\n'
        for feed, (name, host) in FEEDS.items()
    )
    config = folder / "settings.toml"
    config.write_text(
        f'timezone = "Asia/Ho_Chi_Minh"\n\n[database]\nurl = "{url}"\n\n'
        f'[render]\ntemplates = "{ROOT / "templates"}"\n\n'
        '[channels.facebook]\npage_id = "1234567890"\n\n'
        '[channels.zalo]\napp_id = "123"\nenabled = false\n' + feeds,
        encoding="utf-8",
    )
    return config


# ---- timing -------------------------------------------------------------------------------


def signed_in(client: TestClient, app: App) -> None:
    users.add_user(app, "phe-duyet-bench", "approver", PASSWORD, by="bench")
    page = client.get("/login").text
    token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    form = {"name": "phe-duyet-bench", "password": PASSWORD, "csrf": token, "next": "/"}
    answer = client.post("/login", data=form)
    assert answer.status_code == 303, answer.text


def cases(engine: Engine, n_posts: int) -> dict[str, list[str]]:
    """Each case's URLs (one, or several taken in turn)."""
    with engine.connect() as connection:
        pending = [
            row[0]
            for row in connection.execute(
                text("SELECT id FROM post WHERE status = 'pending_review' ORDER BY id DESC LIMIT 200")
            )
        ]  # fmt: skip
    return {
        "queue: first page": ["/"],
        "queue: filtered (published, one feed, Zalo)": ["/?status=published&feed=soyte&channel=zalo"],
        "queue: pending review": ["/?status=pending_review"],
        "queue: flagged": ["/?flagged=1"],
        "queue: deep page (before)": [f"/?before={n_posts // 20}"],
        "queue: search (words without accents)": ["/?q=chuyen+doi+so"],
        "queue: search matching nothing": ["/?q=khong+co+bai+nao+nhu+the"],
        "published: first page": ["/published"],
        "published: deep page (before)": [f"/published?before={n_posts // 20}"],
        "post page (200 posts in turn)": [f"/posts/{post_id}" for post_id in pending],
    }  # fmt: skip


def time_case(client: TestClient, urls: list[str], requests: int) -> dict[str, Any]:
    for url in urls[:5]:  # warm-up
        assert client.get(url).status_code == 200, url
    samples = []
    for n in range(requests):
        started = time.perf_counter()
        answer = client.get(urls[n % len(urls)])
        samples.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200
    ordered = sorted(samples)
    median, p95 = statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]
    return {
        "median_ms": round(median, 2), "p95_ms": round(p95, 2), "min_ms": round(ordered[0], 2),
        "max_ms": round(ordered[-1], 2), "met": median <= MEDIAN_MS and p95 <= P95_MS,
        "samples_ms": [round(s, 2) for s in samples],
    }  # fmt: skip


def run_database(name: str, url: str, folder: Path, n_posts: int, requests: int) -> dict[str, Any]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    fill_s = fill(engine, n_posts)
    app = App(load_settings(settings_file(folder, url)))
    results: dict[str, Any] = {"fill_s": round(fill_s, 1), "cases": {}}
    try:
        with TestClient(create_app(app), follow_redirects=False) as client:
            signed_in(client, app)
            for case, urls in cases(engine, n_posts).items():
                results["cases"][case] = found = time_case(client, urls, requests)
                print(f"{name:9} {case:45} median {found['median_ms']:7.2f} ms  "
                      f"p95 {found['p95_ms']:7.2f} ms  {'ok' if found['met'] else 'MISSED'}")  # fmt: skip
    finally:
        app.close()
        engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    os.environ.setdefault("SYNDICATOR_SECRET_KEY", "b" * 48)
    report: dict[str, Any] = {"machine": machine(), "posts": args.posts,
                              "requests": args.requests, "databases": {}}  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        with sqlite_url(folder) as url:
            report["databases"]["sqlite"] = run_database("sqlite", url, folder, args.posts,
                                                         args.requests)  # fmt: skip
        if not args.skip_postgres:
            with postgres_url() as url:
                report["databases"]["postgresql"] = run_database(
                    "postgresql", url, folder, args.posts, args.requests
                )
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    out = args.out or ROOT / "bench" / "results" / f"{day}-web.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"written {out}")


if __name__ == "__main__":
    main()
