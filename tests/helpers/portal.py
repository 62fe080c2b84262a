"""A portal on a local server, polled by the real CLI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from click.testing import CliRunner, Result

from syndicator.cli.commands import cli
from tests.helpers.httpserver import LocalServer, Reply

ITEM = (
    "<item><title>{title}</title><link>https://skhcn.gov.vn/tin/{n}.html</link><guid>news_{n}</guid>"
    "<description>Sở Khoa học và Công nghệ thông báo kế hoạch triển khai nhiệm vụ năm 2027 tới các "
    "đơn vị trực thuộc và các doanh nghiệp trên địa bàn tỉnh.</description>"
    "<pubDate>{date}</pubDate></item>"
)


# The commands read the real clock: the article is an hour old, whatever the day.
RECENT = format_datetime(datetime.now(UTC) - timedelta(hours=1))


def rss(*titles: str) -> bytes:
    items = "".join(ITEM.format(title=t, n=n, date=RECENT) for n, t in enumerate(titles))
    return f'<rss version="2.0"><channel><title>SKHCN</title>{items}</channel></rss>'.encode()


@contextmanager
def portal_serving(
    tmp_path: Path, review: str, spacing: str, feed_extra: str = ""
) -> Iterator[tuple[Path, LocalServer]]:
    """A portal polled twice: the first poll is history, the second brings one new article.
    `feed_extra` adds lines to the feed's entry."""
    with LocalServer() as server:
        server.route("/rss", Reply(rss("Tin cũ"), headers={"Content-Type": "application/rss+xml"}))
        config = tmp_path / "settings.toml"
        config.write_text(
            '[polling]\nparse_processes = 0\nallow_networks = ["127.0.0.0/8"]\n'
            '[channels.sandbox]\nfolder = "var/outbox"\n'
            f'[pacing.sandbox]\nquiet_hours = ""\nmin_spacing = "{spacing}"\n'
            f'[[feeds]]\nid = "skhcn"\nname = "Sở KH&CN"\nurl = "{server.url("/rss")}"\n'
            f'review = "{review}"\nchannels = ["sandbox"]\n{feed_extra}',
            encoding="utf-8",
        )
        run(config, "poll")
        new = rss("Tin cũ", "Hội nghị triển khai nhiệm vụ khoa học năm 2027")
        server.route("/rss", Reply(new, headers={"Content-Type": "application/rss+xml"}))
        run(config, "poll")
        yield config, server


def run(config: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], input=input)
