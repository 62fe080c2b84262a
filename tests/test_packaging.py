"""The README's server install (`pip install .`, not editable) ships what the program needs:
built as a wheel, installed into a fresh environment and run from a folder outside the checkout,
it renders posts from its own default templates."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from tests.helpers.httpserver import LocalServer, Reply
from tests.helpers.paths import ROOT

ROOT = ROOT
SOURCES = ("pyproject.toml", "README.md", "syndicator", "connectors", "storage")
TITLE = "Hội nghị triển khai nhiệm vụ khoa học và công nghệ năm 2027"
FEED = (
    '<rss version="2.0"><channel><title>Sở KH&amp;CN</title><item><title>{title}</title>'
    "<link>https://skhcn.gov.vn/tin/hoi-nghi-2027.html</link><guid>news_2027</guid>"
    "<description>Sở Khoa học và Công nghệ tổ chức hội nghị triển khai nhiệm vụ năm 2027 với "
    "các đơn vị trực thuộc và doanh nghiệp trên địa bàn tỉnh.</description>"
    '<enclosure url="https://skhcn.gov.vn/anh/hoi-nghi.jpg" type="image/jpeg" length="1"/>'
    "<pubDate>{date}</pubDate></item></channel></rss>"
)

CARD_PAGE = (
    "from connectors.base import OutgoingPost\n"
    "from syndicator.posts.cards.page import outgoing_card, standalone_page\n"
    "print(standalone_page(outgoing_card(OutgoingPost(1, 'Tin mới'), 'sandbox', 'Tin')))"
)
REPORT_PAGE = (
    "from datetime import UTC, datetime\n"
    "from syndicator.report.html import render_html\n"
    "from syndicator.report.model import Report, Totals\n"
    "now = datetime(2026, 12, 7, tzinfo=UTC)\n"
    "print(render_html(Report(now, now, now, (), (), (), (), Totals(0, 0, 0, 0, {}))))"
)


def build_wheel(into: Path) -> Path:
    """A wheel built from a copy of the sources, as `pip install .` builds it."""
    source = into / "source"
    source.mkdir(parents=True)
    for name in SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", "-q", "--no-deps", "-w", str(into), str(source)], check=True)
    (wheel,) = into.glob("syndicator-*.whl")
    return wheel


def fresh_install(wheel: Path, into: Path) -> Path:
    """A new environment holding only the wheel; the dependencies are borrowed from this one
    (a path in a .pth file), so nothing is downloaded and the checkout is not importable."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(into)], check=True)
    python = into / "bin" / "python"
    install = ["install", "-q", "--no-deps", "--no-index", str(wheel)]
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), *install], check=True)
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return into / "bin"


@pytest.mark.slow
def test_installed_wheel_renders_with_its_own_templates(tmp_path: Path) -> None:
    """With settings outside the checkout and no templates folder, each channel's post is
    rendered from the templates inside the installed package: no "template not found"."""
    bin_dir = fresh_install(build_wheel(tmp_path / "dist"), tmp_path / "venv")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNDICATOR_", "PYTHON"))}
    where = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "import syndicator.posts.render as r; print(r.SHIPPED_TEMPLATES)",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    ).stdout.strip()
    assert Path(where).is_relative_to(tmp_path / "venv")  # the wheel's copy, not the checkout's
    # The sandbox's page: the card's template and stylesheet and the Vietnamese catalogue ship.
    card_page = subprocess.run(
        [str(bin_dir / "python"), "-c", CARD_PAGE], check=True, capture_output=True, text=True,
        cwd=tmp_path, env=env,
    ).stdout  # fmt: skip
    assert "Vừa xong" in card_page and ".linkcard-title {" in card_page
    # The report's file: its templates ship, and speak Vietnamese.
    report_page = subprocess.run(
        [str(bin_dir / "python"), "-c", REPORT_PAGE], check=True, capture_output=True, text=True,
        cwd=tmp_path, env=env,
    ).stdout  # fmt: skip
    assert "Báo cáo hoạt động cổng thông tin điện tử" in report_page
    site = tmp_path / "site"
    site.mkdir()
    with LocalServer() as server:
        date = format_datetime(datetime.now(UTC) - timedelta(hours=1))
        body = FEED.format(title=TITLE, date=date).encode()
        server.route("/rss", Reply(body, headers={"Content-Type": "application/rss+xml"}))
        (site / "settings.toml").write_text(
            '[polling]\nparse_processes = 0\nbackfill = 1\nallow_networks = ["127.0.0.0/8"]\n'
            '[channels.sandbox]\nfolder = "var/outbox"\n'
            '[channels.facebook]\npage_id = "1234567890"\n[channels.zalo]\napp_id = "123"\n'
            f'[[feeds]]\nid = "skhcn"\nname = "Sở KH&CN"\nurl = "{server.url("/rss")}"\n'
            'channels = ["sandbox", "facebook", "zalo"]\n',
            encoding="utf-8",
        )

        def syndicator(*args: str) -> str:
            done = subprocess.run(
                [str(bin_dir / "syndicator"), "--config", "settings.toml", *args],
                capture_output=True,
                text=True,
                cwd=site,
                env=env,
                timeout=60,
            )
            assert done.returncode == 0, done.stderr
            return done.stdout

        syndicator("poll")
    posts = [json.loads(line) for line in syndicator("queue", "list", "--json").splitlines()]
    assert sorted(post["channel"] for post in posts) == ["facebook", "sandbox", "zalo"]
    for post in posts:
        assert not any(flag.startswith("template_error") for flag in post["flags"])
        shown = syndicator("queue", "show", str(post["id"]))
        assert "template" not in shown.split("History:")[0] and TITLE in shown
