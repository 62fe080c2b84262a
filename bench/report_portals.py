"""The report benchmark's province (issue #12): 1,000 portals with their agencies, categories,
activity and channels, the report's categories and rules, and the settings file that lists them.

Deterministic from a seed. 25 departments publish on three feeds each (news, legal documents,
announcements), the rest are commune and ward portals (`tenxa.tinh.gov.vn`, Decree 224/2026
Art. 11(4)(c)); each portal publishes only some categories, at its own rate (lognormal), and a
few went quiet months ago or never published at all.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# (category id of the bundled settings.toml, share of all items, the portal's section in links)
CATEGORIES = (
    ("van-ban", 0.12, "van-ban"),
    ("thu-tuc-hanh-chinh", 0.06, "thu-tuc-hanh-chinh"),
    ("pho-bien-phap-luat", 0.06, "pho-bien-giao-duc-phap-luat"),
    ("quy-hoach-ke-hoach", 0.07, "quy-hoach"),
    ("to-chuc", 0.015, "co-cau-to-chuc"),
    ("tai-chinh-thong-ke", 0.03, "cong-khai-ngan-sach"),
    ("danh-muc-cong-khai", 0.015, "cong-khai-thong-tin"),
    ("dau-thau", 0.025, "dau-thau"),
    ("du-an-dau-tu", 0.01, "du-an"),
    ("mua-sam-cong", 0.005, "mua-sam"),
    ("ho-tro-nguoi-dan-doanh-nghiep", 0.04, "hoi-dap"),
    ("tin-tuc", 0.55, "tin-tuc"),
)
DEFAULT_CATEGORY = "tin-tuc"

DEPARTMENTS = (
    ("skhcn", "Sở Khoa học và Công nghệ"), ("syt", "Sở Y tế"), ("sgddt", "Sở Giáo dục và Đào tạo"),
    ("stc", "Sở Tài chính"), ("snnmt", "Sở Nông nghiệp và Môi trường"), ("sxd", "Sở Xây dựng"),
    ("svhttdl", "Sở Văn hóa, Thể thao và Du lịch"), ("sct", "Sở Công Thương"), ("snv", "Sở Nội vụ"),
    ("stp", "Sở Tư pháp"), ("sdt", "Sở Dân tộc và Tôn giáo"), ("sngv", "Sở Ngoại vụ"),
    ("ttr", "Thanh tra tỉnh"), ("vpubnd", "Văn phòng UBND tỉnh"), ("bqlkkt", "Ban Quản lý Khu kinh tế"),
    ("vpdbqh", "Văn phòng Đoàn ĐBQH và HĐND tỉnh"), ("bhxh", "Bảo hiểm xã hội tỉnh"),
    ("ctk", "Cục Thống kê tỉnh"), ("kbnn", "Kho bạc Nhà nước khu vực"), ("cthue", "Thuế tỉnh"),
    ("dtn", "Tỉnh đoàn"), ("hnd", "Hội Nông dân tỉnh"), ("lđld", "Liên đoàn Lao động tỉnh"),
    ("bqlda", "Ban Quản lý dự án đầu tư xây dựng tỉnh"), ("ttxttm", "Trung tâm Xúc tiến Đầu tư"),
)  # fmt: skip
DEPARTMENT_FEEDS = (("", "tin-tuc", "Tin tức"), ("-vanban", "van-ban", "Văn bản"),
                    ("-thongbao", "tin-tuc", "Thông báo"))  # fmt: skip
FIRST = ("Phú", "Hòa", "Tân", "An", "Bình", "Nghĩa", "Đức", "Tịnh", "Sơn", "Ba", "Trà", "Minh",
         "Long", "Thạnh", "Phước", "Hành", "Phổ", "Mỹ", "Lý", "Đông", "Tây", "Nam", "Bắc",
         "Quảng", "Vĩnh", "Xuân", "Hưng", "Thiện", "Kim", "Bình", "Hiệp", "Cẩm")  # fmt: skip
SECOND = ("Lợi", "Hiệp", "Thành", "Bình", "Phong", "Sơn", "Hà", "Kỳ", "Long", "Mỹ", "Thuận",
          "An", "Trung", "Đông", "Tây", "Hòa", "Phú", "Lộc", "Tín", "Nhơn", "Quang", "Thọ",
          "Thắng", "Vinh", "Điền", "Khánh", "Hải", "Châu", "Lâm", "Tiến", "Hưng", "Ninh")  # fmt: skip


@dataclass(frozen=True)
class Portal:
    """One feed and how it behaves over the year."""

    id: str
    name: str
    agency: str
    host: str
    category: str  # the feed's default category
    weight: float  # its share of a day's items (0: never published)
    quiet_from: int | None  # the day (0 = the year's first) after which it published nothing
    categories: tuple[str, ...]  # what it publishes
    channels: bool  # posted to Facebook and Zalo
    error_rate: float  # the share of days with failed polls
    broken_from: int | None  # the day from which every poll fails


def plain(text: str) -> str:
    """`Phú Hòa` -> `phuhoa`."""
    folded = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(c for c in folded if c.isalnum() and not unicodedata.combining(c))


def portals(count: int, days: int, seed: int = 12) -> list[Portal]:
    """`count` portals: the departments' three feeds each, then communes and wards."""
    rng = random.Random(seed)
    found = [
        department_feed(rng, slug, name, suffix, category, section, days)
        for slug, name in DEPARTMENTS
        for suffix, category, section in DEPARTMENT_FEEDS
    ][:count]
    pairs = [(a, b) for a in FIRST for b in SECOND if plain(a) != plain(b)]
    rng.shuffle(pairs)
    used: set[str] = set()
    for first, second in pairs:
        if len(found) >= count:
            break
        slug = plain(first + second)
        if slug in used:
            continue
        used.add(slug)
        kind = "phường" if rng.random() < 0.2 else "xã"
        found.append(commune(rng, slug, f"UBND {kind} {first} {second}", days))
    if len(found) < count:
        raise SystemExit(f"at most {len(found)} portals can be named; ask for fewer")
    return found


def department_feed(
    rng: random.Random, slug: str, name: str, suffix: str, category: str, section: str, days: int
) -> Portal:
    legal = category == "van-ban"
    return Portal(
        id=slug.replace("đ", "d") + suffix,
        name=f"{name} – {section}",  # noqa: RUF001  (the en dash of Vietnamese typography)
        agency=name,
        host=f"{plain(slug)}.tinh.gov.vn",
        category=category,
        weight=rng.lognormvariate(0.6, 0.5),
        quiet_from=None,
        categories=("van-ban",) if legal else published_categories(rng, 0.8),
        channels=suffix == "",
        error_rate=rng.uniform(0.0, 0.03),
        broken_from=None,
    )


def commune(rng: random.Random, slug: str, name: str, days: int) -> Portal:
    roll = rng.random()
    never = roll < 0.01
    quiet = days - rng.randint(8, 200) if 0.01 <= roll < 0.07 else None
    broken = days - rng.randint(2, 40) if 0.07 <= roll < 0.09 else None
    return Portal(
        id=f"xa-{slug}",
        name=f"Cổng thông tin điện tử {name}",
        agency=name,
        host=f"{slug}.tinh.gov.vn",
        category=DEFAULT_CATEGORY,
        weight=0.0 if never else rng.lognormvariate(0.0, 0.7),
        quiet_from=broken if broken is not None else quiet,
        categories=published_categories(rng, 0.55),
        channels=rng.random() < 0.05,
        error_rate=rng.uniform(0.0, 0.05),
        broken_from=broken,
    )


def published_categories(rng: random.Random, keep: float) -> tuple[str, ...]:
    """News, and each other category with probability `keep`: the rest stay empty."""
    return tuple(cat for cat, *_ in CATEGORIES if cat == DEFAULT_CATEGORY or rng.random() < keep)


def settings_text(feeds: list[Portal], database_url: str, root: Path) -> str:
    """settings.toml for the benchmark: the feeds, two channels, and the bundled settings'
    `[report]` section as it ships (its categories and rules)."""
    lines = [
        'timezone = "Asia/Ho_Chi_Minh"\n',
        f'[database]\nurl = "{database_url}"\n',
        f'[render]\ntemplates = "{root / "templates"}"\n',
        '[channels.facebook]\npage_id = "1234567890"\n',
        '[channels.zalo]\napp_id = "123"\nenabled = false\n',
        bundled_report(root / "settings.toml"),
    ]
    for feed in feeds:
        channels = '["facebook", "zalo"]' if feed.channels else "[]"
        lines.append(
            f'[[feeds]]\nid = "{feed.id}"\nname = "{feed.name}"\nagency = "{feed.agency}"\n'
            f'category = "{feed.category}"\nurl = "https://{feed.host}/rss"\n'
            f"channels = {channels}\n"
        )
    return "\n".join(lines)


def bundled_report(settings: Path) -> str:
    """The `[report]` table and its arrays, cut from the bundled file up to the next table."""
    text = settings.read_text(encoding="utf-8")
    start = text.index("\n[report]\n")
    tables = re.finditer(r"^\[\[?(?!report)[\w.-]+\]\]?\s*$", text[start + 1 :], re.MULTILINE)
    end = next((start + 1 + found.start() for found in tables), len(text))
    return text[start:end]
