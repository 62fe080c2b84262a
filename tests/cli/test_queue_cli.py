"""`syndicator queue` end to end: a polled item shows as it will appear, is edited, approved or
rejected from the command line, and the audit trail and next slot are visible."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import Result

from storage import posts as post_store
from storage.session import writing
from storage.states import PostAction
from syndicator.app import build_app
from tests.helpers.httpserver import LocalServer
from tests.helpers.portal import portal_serving, run
from tests.helpers.posts import walk


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[tuple[Path, LocalServer]]:
    """A portal whose first poll is history and whose second poll brings one new article."""
    with portal_serving(tmp_path, review="required", spacing="15m") as running:
        yield running


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
    assert posts(config, "--flagged") == []  # held by the feed's rule alone: nothing to check
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


EDITED = (
    "Sở Khoa học và Công nghệ thông báo: hội nghị triển khai nhiệm vụ khoa học năm 2027 được dời "
    "sang ngày 20/11 tại Hội trường Ủy ban nhân dân tỉnh."
)


def state(config: Path, post_id: object) -> tuple[list[dict[str, object]], str]:
    """The queue's row for the post and everything `queue show` prints (history included)."""
    return posts(config), run(config, "queue", "show", str(post_id)).stdout


def edit_as(config: Path, tmp_path: Path, post_id: object, who: str) -> Result:
    text = tmp_path / "edited.txt"
    text.write_text(EDITED, encoding="utf-8")
    return run(config, "queue", "edit", str(post_id), "--text-file", str(text), "--by", who)


def test_approve_names_the_version_shown(portal: tuple[Path, LocalServer], tmp_path: Path) -> None:
    """`show` prints the version; approving an older one, or without --version right after
    someone else's edit, fails (1) changing nothing; the version shown approves (0)."""
    config, _ = portal
    (post,) = posts(config)
    post_id = str(post["id"])
    assert "version 0" in run(config, "queue", "show", post_id).stdout
    assert edit_as(config, tmp_path, post_id, "binh").exit_code == 0
    before = state(config, post_id)
    stale = run(config, "queue", "approve", post_id, "--version", "0", "--by", "an")
    assert stale.exit_code == 1 and "đã thay đổi từ khi bạn xem" in stale.stderr
    fresh_edit = run(config, "queue", "approve", post_id, "--by", "an")
    assert fresh_edit.exit_code == 1 and "vừa được binh sửa" in fresh_edit.stderr
    assert state(config, post_id) == before
    assert "version 1" in before[1]
    two = run(config, "queue", "approve", post_id, post_id, "--version", "1")
    assert two.exit_code == 2 and state(config, post_id) == before
    assert run(config, "queue", "approve", post_id, "--version", "1", "--by", "an").exit_code == 0
    assert posts(config)[0]["status"] == "approved"


def fail_as_publisher(config: Path, post_id: int, action: str, reason: str) -> None:
    """Move an approved post to `failed` as the publisher records it (refusal or giving up)."""
    app = build_app(config)
    with writing(app.migrated_engine()) as session:
        post = post_store.get(session, post_id)
        assert post is not None and post.status == "approved"
        path = [("claim", "publishing"), (action, "failed")]
        error = "(#100) Invalid parameter: link"
        walk(session, post_id, path, datetime.now(UTC), reason, last_error=error)
    app.close()


def test_refused_post_says_why_in_vietnamese_and_is_approved_again(
    portal: tuple[Path, LocalServer], tmp_path: Path
) -> None:
    """A post the platform refused shows the platform's message after a Vietnamese sentence,
    and can be edited and approved again."""
    config, _ = portal
    (post,) = posts(config)
    post_id = int(str(post["id"]))
    assert run(config, "queue", "approve", str(post_id), "--by", "an").exit_code == 0
    fail_as_publisher(config, post_id, PostAction.REFUSE, "(#100) Invalid parameter: link")
    shown = run(config, "queue", "show", str(post_id)).stdout
    assert "Nền tảng từ chối bài: (#100) Invalid parameter: link" in shown
    assert shown.index("Nền tảng từ chối bài") < shown.index("the platform refused the post")
    assert edit_as(config, tmp_path, post_id, "bien-tap").exit_code == 0
    assert run(config, "queue", "approve", str(post_id), "--by", "bien-tap").exit_code == 0
    assert posts(config)[0]["status"] == "approved"
    history = run(config, "queue", "show", str(post_id)).stdout
    assert "failed -> pending_review" in history and "pending_review -> approved" in history


def test_post_that_gave_up_says_it_may_be_online_and_stays_failed(
    portal: tuple[Path, LocalServer],
) -> None:
    """A post that failed after errors says, in Vietnamese first, that it may be on the
    platform; approving it again fails (1)."""
    config, _ = portal
    (post,) = posts(config)
    post_id = int(str(post["id"]))
    assert run(config, "queue", "approve", str(post_id), "--by", "an").exit_code == 0
    fail_as_publisher(config, post_id, "fail", "gave up after 6 attempts: HTTP 503")
    shown = run(config, "queue", "show", str(post_id)).stdout
    assert "Đăng không thành công sau nhiều lần thử" in shown and "repost" in shown
    again = run(config, "queue", "approve", str(post_id), "--by", "an")
    assert again.exit_code == 1 and "có thể đã lên nền tảng" in again.stderr
    assert posts(config)[0]["status"] == "failed"


def test_template_error_post_waits_until_its_template_renders(tmp_path: Path) -> None:
    """A post whose template is missing cannot be approved (1); `rerender --all` fails while the
    template is still missing, then renders it once the operator adds it; it is then approved."""
    with portal_serving(tmp_path, "auto", "15m", 'template = "so-yte"\n') as (config, _):
        (post,) = posts(config)
        post_id = str(post["id"])
        assert post["status"] == "pending_review"
        refused = run(config, "queue", "approve", post_id, "--by", "an")
        assert refused.exit_code == 1 and "Mẫu bài đăng bị lỗi" in refused.stderr
        assert run(config, "queue", "rerender").exit_code == 2
        still = run(config, "queue", "rerender", "--all", "--by", "van-hanh")
        assert still.exit_code == 1 and "vẫn lỗi" in still.stderr
        (tmp_path / "templates").mkdir()
        template = '{% extends "sandbox.j2" %}{% block hashtags %}#SoKHCN{% endblock %}'
        (tmp_path / "templates" / "so-yte.sandbox.j2").write_text(template, encoding="utf-8")
        done = run(config, "queue", "rerender", "--all", "--by", "van-hanh")
        assert done.exit_code == 0 and "rendered again" in done.stdout
        shown = run(config, "queue", "show", post_id).stdout
        assert "#SoKHCN" in shown and "template error" not in shown
        assert "version 1" in shown  # rendering again changed the text: a new version
        approved = run(config, "queue", "approve", post_id, "--version", "1", "--by", "an")
        assert approved.exit_code == 0 and posts(config)[0]["status"] == "approved"
