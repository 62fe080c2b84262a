"""A portal's pages and feeds for discovery tests: RSS with items of chosen ages, a bare page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from email.utils import format_datetime

HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
HEADLINES = (
    "Huyện Đông Sơn ra mắt mô hình “Dân vận khéo” trong xây dựng nông thôn mới kiểu mẫu",
    "UBND huyện tổ chức hội nghị tổng kết công tác cải cách hành chính năm 2026",
    "Triển khai kế hoạch tiêm chủng mở rộng cho trẻ em dưới 5 tuổi trên địa bàn huyện",
    "Hội nghị đối thoại giữa Chủ tịch UBND huyện với doanh nghiệp và hợp tác xã",
    "Kiểm tra tiến độ giải ngân vốn đầu tư công tại các xã vùng cao",
)


def rss(
    title: str, ages: Sequence[timedelta | None], now: datetime, site: str = "dongson"
) -> bytes:
    """An RSS feed with one item per age (None: an item without a date)."""
    items = ""
    for n, age in enumerate(ages):
        date = f"<pubDate>{format_datetime(now - age)}</pubDate>" if age is not None else ""
        items += (
            f"<item><title>{HEADLINES[n % len(HEADLINES)]}</title>"
            f"<link>https://{site}.example.gov.vn/vi/news/tin-hoat-dong/bai-{n}.html</link>"
            f"<guid>{site}-{n}</guid><description>Chiều ngày 28/10, UBND huyện Đông Sơn tổ chức "
            f"hội nghị triển khai nhiệm vụ trọng tâm những tháng cuối năm.</description>{date}</item>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://{site}.example.gov.vn/</link>{items}</channel></rss>"
    ).encode()


def page(head: str = "", body: str = "") -> bytes:
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Cổng thông tin điện tử'
        f" huyện Đông Sơn</title>{head}</head><body>{body}</body></html>"
    ).encode()
