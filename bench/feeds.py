"""Deterministic, realistic Vietnamese RSS 2.0 feeds for the benchmarks.

Each feed has 30 items of about 1 KB (Vietnamese title, NukeViet-style link and guid, RFC 822
date in +0700, an HTML description with an <img>), so a feed is about 30 KB. Every tenth feed is
a "province" portal that republishes articles of the next feed: three items with the same link
(dedup by URL) and two with the same long title but its own link (dedup by title and date).
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from xml.sax.saxutils import escape

ITEMS_PER_FEED = 30
SHARED_BY_URL = 3
SHARED_BY_TITLE = 2
ICT = timezone(timedelta(hours=7))
NEWEST = datetime(2026, 11, 20, 17, 30, tzinfo=ICT)  # fixed, in the past: no date is clamped

PLACES = [
    "tỉnh Quảng Ninh",
    "tỉnh Hà Giang",
    "tỉnh Lâm Đồng",
    "tỉnh Đắk Lắk",
    "thành phố Huế",
    "tỉnh Cà Mau",
    "tỉnh Nghệ An",
    "tỉnh Thanh Hóa",
    "huyện Mường Tè",
    "xã Tân Phước",
    "thành phố Cần Thơ",
    "tỉnh Bà Rịa - Vũng Tàu",
    "huyện Đồng Văn",
    "phường Bến Nghé",
]
SUBJECTS = [
    "UBND",
    "Sở Thông tin và Truyền thông",
    "Sở Tài nguyên và Môi trường",
    "Ban Chỉ đạo chuyển đổi số",
    "Hội đồng nhân dân",
    "Sở Giáo dục và Đào tạo",
    "Trung tâm Phục vụ hành chính công",
    "Sở Nông nghiệp và Phát triển nông thôn",
]
ACTIONS = [
    "triển khai kế hoạch",
    "tổng kết công tác",
    "hướng dẫn thực hiện",
    "kiểm tra tiến độ",
    "phát động phong trào",
    "tăng cường công tác",
    "đẩy mạnh thực hiện",
    "sơ kết 6 tháng",
]
TOPICS = [
    "cải cách hành chính",
    "chuyển đổi số",
    "phòng, chống thiên tai",
    "xây dựng nông thôn mới",
    "bảo vệ môi trường",
    "phát triển du lịch cộng đồng",
    "an toàn giao thông",
    "giảm nghèo bền vững",
    "dịch vụ công trực tuyến toàn trình",
    "thu hút đầu tư",
]
SENTENCES = [
    "Sáng ngày {d}, {s} {p} đã tổ chức hội nghị {a} {t} năm 2026.",
    "Tham dự hội nghị có đại diện lãnh đạo các sở, ban, ngành và Ủy ban nhân dân các huyện, "
    "thị xã.",
    "Theo báo cáo, trong năm qua toàn {p} đã hoàn thành vượt mức nhiều chỉ tiêu quan trọng về {t}.",
    "Phát biểu chỉ đạo, đồng chí Phó Chủ tịch đề nghị các đơn vị tiếp tục quán triệt, nâng cao "
    "nhận thức, trách nhiệm của người đứng đầu trong việc {a} {t}.",
    "Người dân và doanh nghiệp có thể tra cứu thông tin chi tiết trên Cổng dịch vụ công quốc gia.",
    "Dịp này, {s} đã trao Bằng khen cho 12 tập thể và 25 cá nhân có thành tích xuất sắc.",
]
CATEGORIES = [
    ("thoi-su", "Thời sự"),
    ("chinh-tri", "Chính trị"),
    ("kinh-te", "Kinh tế"),
    ("van-hoa-xa-hoi", "Văn hóa - Xã hội"),
    ("thong-bao", "Thông báo"),
]


@dataclass(frozen=True, slots=True)
class Article:
    guid: str
    link: str
    title: str
    published: datetime
    category: tuple[str, str]
    image: str
    paragraphs: tuple[str, ...]


def slug(text: str) -> str:
    """An ASCII URL alias as NukeViet makes it: no diacritics, words joined by '-'."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return "-".join("".join(c if c.isalnum() else " " for c in plain).split())


def make_article(
    rng: random.Random, base: str, number: int, plan: int, published: datetime
) -> Article:
    """`number` is the portal's own article id (it recurs on other portals); `plan` is unique."""
    place, subject = rng.choice(PLACES), rng.choice(SUBJECTS)
    action, topic = rng.choice(ACTIONS), rng.choice(TOPICS)
    title = f"{subject} {place} {action} {topic} theo Kế hoạch số {plan}/KH-UBND"
    category = rng.choice(CATEGORIES)
    day = published.strftime("%d/%m/%Y")
    facts = {"d": day, "s": subject, "p": place, "a": action, "t": topic}
    paragraphs = tuple(s.format(**facts) for s in rng.sample(SENTENCES, 3))
    folder = published.strftime("%Y_%m")
    image_base = base if number % 2 else ""  # half the portals write relative image paths
    return Article(
        guid=f"news_{number}",
        link=f"{base}/vi/news/{category[0]}/{slug(title)}-{number}.html",
        title=title,
        published=published,
        category=category,
        image=f"{image_base}/uploads/news/{folder}/{slug(topic)}-{number}.jpg",
        paragraphs=paragraphs,
    )


def feed_articles(seed: int, index: int, base: str) -> list[Article]:
    """The feed's own 30 articles, newest first, one to three hours apart."""
    rng = random.Random(f"{seed}:{index}")
    when = NEWEST - timedelta(minutes=rng.randrange(0, 600))
    newest_id = rng.randrange(1_000, 9_000)
    articles = []
    for position in range(ITEMS_PER_FEED):
        plan = index * ITEMS_PER_FEED + position + 1
        articles.append(make_article(rng, base, newest_id - position, plan, when))
        when -= timedelta(minutes=rng.randrange(60, 180))
    return articles


def with_shared(own: list[Article], neighbour: list[Article]) -> list[Article]:
    """A province portal's feed: republish some of a commune's articles in place of its own."""
    by_url = [
        Article(
            f"{a.guid}-r",
            a.link,
            a.title,
            a.published + timedelta(minutes=20),
            a.category,
            a.image,
            a.paragraphs,
        )
        for a in neighbour[:SHARED_BY_URL]
    ]
    by_title = [
        Article(
            f"{a.guid}-r",
            own[0].link.rsplit("/", 2)[0] + f"/dang-lai-{i}.html",
            a.title,
            a.published + timedelta(minutes=30),
            a.category,
            a.image,
            a.paragraphs,
        )
        for i, a in enumerate(neighbour[SHARED_BY_URL : SHARED_BY_URL + SHARED_BY_TITLE])
    ]
    mixed = own[: ITEMS_PER_FEED - len(by_url) - len(by_title)] + by_url + by_title
    return sorted(mixed, key=lambda a: a.published, reverse=True)


def item_xml(article: Article) -> str:
    image = f'<img src="{article.image}" alt="" width="180" height="120" align="left"/>'
    body = "".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)
    return (
        "<item>"
        f"<title>{escape(article.title)}</title>"
        f"<link>{article.link}</link>"
        f'<guid isPermaLink="false">{article.guid}</guid>'
        f"<category>{escape(article.category[1])}</category>"
        f"<pubDate>{format_datetime(article.published)}</pubDate>"
        f"<description><![CDATA[{image}{body}]]></description>"
        "</item>\n"
    )


def feed_xml(base: str, index: int, articles: list[Article]) -> bytes:
    built = format_datetime(NEWEST)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>'
        f"<title>Cổng thông tin điện tử số {index}</title><link>{base}/</link>"
        f'<atom:link href="{base}/feed/{index}.xml" rel="self" type="application/rss+xml"/>'
        "<description>Tin tức, sự kiện, thông báo của cơ quan nhà nước</description>"
        f"<language>vi</language><lastBuildDate>{built}</lastBuildDate>"
        "<generator>NukeViet v4.5</generator><copyright>Cổng thông tin điện tử</copyright>\n"
    )
    items = "".join(item_xml(article) for article in articles)
    return (head + items + "</channel></rss>\n").encode("utf-8")


def generate(seed: int, bases: list[str]) -> list[bytes]:
    """One feed body per base URL; feed i is served from bases[i]."""
    own = [feed_articles(seed, i, base) for i, base in enumerate(bases)]
    bodies = []
    for i, base in enumerate(bases):
        articles = own[i]
        if i % 10 == 0 and i + 1 < len(bases):
            articles = with_shared(articles, own[i + 1])
        bodies.append(feed_xml(base, i, articles))
    return bodies


def unique_items(count: int) -> int:
    """How many distinct articles `count` feeds carry (shared ones counted once)."""
    sharing = len([i for i in range(0, count, 10) if i + 1 < count])
    return count * ITEMS_PER_FEED - sharing * (SHARED_BY_URL + SHARED_BY_TITLE)


if __name__ == "__main__":
    sample = generate(1, [f"http://127.0.0.{2 + i}:8000" for i in range(3)])
    print(f"{len(sample[0])} bytes; first item:\n" + sample[0].decode().split("<item>")[1][:900])
