"""The queue's search, "flagged" filter and bulk actions: approvers approve each ticked post at
the version the list showed, or reject them with one reason; the page says what happened to
each; editors cannot."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from syndicator.app import App
from syndicator.services import queue
from tests.helpers.posts import feed, make_posts, parsed

SignIn = Callable[[str], str]
EDIT = "Sở KH&CN thông báo: hội nghị chuyển đổi số dời sang ngày 20/11/2027."


def three_posts(engine: Engine) -> list[int]:
    titles = ["Hội nghị chuyển đổi số", "Văn bản tối mật", "Tuyển dụng viên chức"]
    return [make_posts(engine, feed(), parsed(title, n))[0] for n, title in enumerate(titles)]


def test_search_and_flagged_filter_the_list(
    engine: Engine, client: TestClient, sign_in: SignIn
) -> None:
    meeting, secret, jobs = three_posts(engine)
    sign_in("editor")
    found = client.get("/?q=HOI+NGHI").text
    assert f'href="/posts/{meeting}"' in found and f'href="/posts/{jobs}"' not in found
    assert 'value="HOI NGHI"' in found
    flagged = client.get("/?flagged=1").text
    assert f'href="/posts/{secret}"' in flagged and f'href="/posts/{meeting}"' not in flagged
    assert 'name="flagged" value="1" checked' in flagged
    # The count beside a post is of its reasons to check: none for the feed's rule alone.
    listing = client.get("/").text
    assert listing.count('<span class="flag">') == 1 and "2 lý do cần xem" in listing


def test_approver_approves_the_versions_shown(
    app: App, engine: Engine, client: TestClient, sign_in: SignIn
) -> None:
    """Two posts approved as shown; one edited after the list was shown is refused with the
    reason, and the page lists each outcome."""
    meeting, secret, jobs = three_posts(engine)
    token = sign_in("approver")
    listing = client.get("/").text
    assert f'value="{jobs}:0"' in listing and 'action="/queue/bulk"' in listing
    queue.edit(app, jobs, "bien-tap", EDIT)
    picked = [f"{meeting}:0", f"{secret}:0", f"{jobs}:0"]
    answer = client.post("/queue/bulk", data={"csrf": token, "action": "approve", "post": picked})
    assert answer.status_code == 200
    assert answer.text.count("Bài đã được duyệt.") == 2 and "đã thay đổi" in answer.text
    assert [queue.show_post(app, pid).status for pid in (meeting, secret, jobs)] == [
        "approved",
        "approved",
        "pending_review",
    ]
    history = queue.show_post(app, meeting).history
    assert (history[-1].action, history[-1].actor) == ("approve", "approver-so-khcn")


def test_approver_rejects_with_one_reason(
    app: App, engine: Engine, client: TestClient, sign_in: SignIn
) -> None:
    meeting, secret, _ = three_posts(engine)
    token = sign_in("approver")
    data = {
        "csrf": token,
        "action": "reject",
        "reason": "Trùng tin",
        "post": [f"{meeting}:0", f"{secret}:0"],
    }
    answer = client.post("/queue/bulk", data=data)
    assert answer.text.count("Bài đã bị từ chối.") == 2
    for post_id in (meeting, secret):
        last = queue.show_post(app, post_id).history[-1]
        assert (last.action, last.actor, last.reason) == ("reject", "approver-so-khcn", "Trùng tin")


def test_editor_cannot_bulk_approve_or_reject(
    app: App, engine: Engine, client: TestClient, sign_in: SignIn
) -> None:
    """No boxes or bulk buttons for an editor, and the POST is 403 and changes nothing."""
    meeting, *_ = three_posts(engine)
    token = sign_in("editor")
    listing = client.get("/").text
    assert 'action="/queue/bulk"' not in listing and 'name="post"' not in listing
    for action in ("approve", "reject"):
        data = {"csrf": token, "action": action, "reason": "x", "post": [f"{meeting}:0"]}
        assert client.post("/queue/bulk", data=data).status_code == 403
    shown = queue.show_post(app, meeting)
    assert shown.status == "pending_review" and [h.action for h in shown.history] == ["create"]


def test_a_malformed_choice_is_400(engine: Engine, client: TestClient, sign_in: SignIn) -> None:
    token = sign_in("approver")
    for data in ({"action": "approve", "post": ["x:1"]}, {"action": "publish"}):
        assert client.post("/queue/bulk", data={"csrf": token, **data}).status_code == 400
