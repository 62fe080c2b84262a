"""`syndicator queue` end to end: a polled item shows as it will appear, is edited, approved or
rejected from the command line, and the audit trail and next slot are visible."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from syndicator.cli.commands import cli
from tests.httpserver import LocalServer, Reply

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


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[tuple[Path, LocalServer]]:
    """A portal whose first poll is history and whose second poll brings one new article."""
    with portal_serving(tmp_path, review="required", spacing="15m") as running:
        yield running


@contextmanager
def portal_serving(tmp_path: Path, review: str, spacing: str) -> Iterator[tuple[Path, LocalServer]]:
    """A portal polled twice: the first poll is history, the second brings one new article."""
    with LocalServer() as server:
        server.route("/rss", Reply(rss("Tin cũ"), headers={"Content-Type": "application/rss+xml"}))
        config = tmp_path / "settings.toml"
        config.write_text(
            '[polling]\nparse_processes = 0\n[channels.sandbox]\nfolder = "var/outbox"\n'
            f'[pacing.sandbox]\nquiet_hours = ""\nmin_spacing = "{spacing}"\n'
            f'[[feeds]]\nid = "skhcn"\nname = "Sở KH&CN"\nurl = "{server.url("/rss")}"\n'
            f'review = "{review}"\nchannels = ["sandbox"]\n',
            encoding="utf-8",
        )
        run(config, "poll")
        new = rss("Tin cũ", "Hội nghị triển khai nhiệm vụ khoa học năm 2027")
        server.route("/rss", Reply(new, headers={"Content-Type": "application/rss+xml"}))
        run(config, "poll")
        yield config, server


def run(config: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], input=input)


def posts(config: Path, *args: str) -> list[dict[str, object]]:
    result = run(config, "queue", "list", "--json", *args)
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_list_show_approve(portal: tuple[Path, LocalServer]) -> None:
    """The new article waits in the queue; approving it gives it a next slot and a history line."""
    config, _ = portal
    (post,) = posts(config)
    assert set(post) == {
        "id",
        "item_id",
        "channel",
        "status",
        "feed",
        "title",
        "url",
        "flags",
        "next_slot",
    }
    assert post["status"] == "pending_review" and post["flags"] == ["review_required"]
    shown = run(config, "queue", "show", str(post["id"])).stdout
    assert "Hội nghị triển khai nhiệm vụ khoa học năm 2027" in shown
    assert "Nguồn tin này luôn cần biên tập viên duyệt." in shown
    assert run(config, "queue", "approve", str(post["id"]), "--by", "an").exit_code == 0
    (approved,) = posts(config, "--status", "approved")
    assert approved["next_slot"] is not None
    history = run(config, "queue", "show", str(post["id"])).stdout
    assert "an" in history and "pending_review -> approved" in history


def test_reject_needs_reason_and_bad_ids_fail(portal: tuple[Path, LocalServer]) -> None:
    """reject without --reason is a usage error (2); unknown ids fail (1); state is unchanged."""
    config, _ = portal
    (post,) = posts(config)
    assert run(config, "queue", "reject", str(post["id"])).exit_code == 2
    assert run(config, "queue", "reject", str(post["id"]), "--reason", " ").exit_code == 2
    assert run(config, "queue", "approve", "424242").exit_code == 1
    assert posts(config)[0]["status"] == "pending_review"
    assert run(config, "queue", "reject", str(post["id"]), "--reason", "Trùng tin").exit_code == 0
    refused = run(config, "queue", "approve", str(post["id"]))
    assert refused.exit_code == 1 and "is rejected" in refused.stderr


def test_edit_from_file(portal: tuple[Path, LocalServer], tmp_path: Path) -> None:
    """edit --text-file stores the new text beside the original; invalid UTF-8 is refused (2)."""
    config, _ = portal
    (post,) = posts(config)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Tin \xff\xfe sai")
    assert run(config, "queue", "edit", str(post["id"]), "--text-file", str(bad)).exit_code == 2
    good = tmp_path / "good.txt"
    good.write_text("Nội dung do biên tập viên viết lại.", encoding="utf-8")
    assert run(config, "queue", "edit", str(post["id"]), "--text-file", str(good)).exit_code == 0
    shown = run(config, "queue", "show", str(post["id"])).stdout
    assert "Nội dung do biên tập viên viết lại." in shown and "Original rendering" in shown


def test_edit_in_the_editor(
    portal: tuple[Path, LocalServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --text-file, $EDITOR opens the current text and its changes are kept."""
    config, _ = portal
    (post,) = posts(config)
    monkeypatch.setenv("EDITOR", "sed -i -e 's/Hội nghị/HỘI NGHỊ/'")
    assert run(config, "queue", "edit", str(post["id"])).exit_code == 0
    shown = run(config, "queue", "show", str(post["id"])).stdout
    assert "HỘI NGHỊ triển khai" in shown and "Original rendering" in shown
