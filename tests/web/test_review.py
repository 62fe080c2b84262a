"""Reviewing in the browser: each action is a services.queue call with the user's name as actor,
allowed by role; an approval carries the version the approver saw."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from syndicator.app import App
from syndicator.services import queue
from tests.helpers.posts import feed, make_posts, parsed

SignIn = Callable[[str], str]


def test_editor_cannot_approve(
    app: App, engine: Engine, client: TestClient, sign_in: SignIn
) -> None:
    """An editor's approval is 403 and the post stays as it was; the page offers no approve
    button to an editor."""
    (post_id,) = make_posts(engine, feed())
    token = sign_in("editor")
    assert "/approve" not in client.get(f"/posts/{post_id}").text
    answer = client.post(f"/posts/{post_id}/approve", data={"csrf": token, "version": "0"})
    assert answer.status_code == 403 and "không được phép" in answer.text
    shown = queue.show_post(app, post_id)
    assert shown.status == "pending_review" and shown.version == 0


def test_approver_approves_the_version_seen(
    app: App, engine: Engine, client: TestClient, sign_in: SignIn
) -> None:
    """The approve form carries the version shown; approving it approves the post and writes
    the audit event with the approver's name."""
    (post_id,) = make_posts(engine, feed())
    token = sign_in("approver")
    page = client.get(f"/posts/{post_id}")
    assert 'name="version" value="0"' in page.text
    answer = client.post(f"/posts/{post_id}/approve", data={"csrf": token, "version": "0"})
    assert answer.status_code == 303
    assert "Bài đã được duyệt." in client.get(answer.headers["location"]).text
    shown = queue.show_post(app, post_id)
    assert shown.status == "approved"
    assert (shown.history[-1].action, shown.history[-1].actor) == ("approve", "approver-so-khcn")


def test_a_stale_version_is_refused(
    app: App, engine: Engine, client: TestClient, sign_in: SignIn
) -> None:
    """After an edit, approving the version seen before it is refused with the service's
    message and changes nothing."""
    (post_id,) = make_posts(engine, feed())
    token = sign_in("approver")
    queue.edit(app, post_id, "bien-tap", "Sở KH&CN thông báo: hội nghị dời sang ngày 20/11.")
    answer = client.post(f"/posts/{post_id}/approve", data={"csrf": token, "version": "0"})
    assert answer.status_code == 409 and "đã thay đổi" in answer.text
    assert queue.show_post(app, post_id).status == "pending_review"


def test_editor_edits_and_approver_rejects_with_a_reason(
    app: App, engine: Engine, client: TestClient, sign_in: SignIn
) -> None:
    """The edit and the rejection are written to the history under each user's name; a
    rejection without a reason is refused."""
    (post_id,) = make_posts(engine, feed())
    token = sign_in("editor")
    text = "Sở KH&CN thông báo: hội nghị chuyển đổi số dời sang ngày 20/11/2027."
    assert client.post(f"/posts/{post_id}/edit", data={"csrf": token, "text": text}).is_redirect
    assert queue.show_post(app, post_id).preview.text == text
    client.post("/logout", data={"csrf": token})
    token = sign_in("approver")
    empty = client.post(f"/posts/{post_id}/reject", data={"csrf": token, "reason": " "})
    assert empty.status_code == 409
    reason = "Trùng tin đã đăng"
    client.post(f"/posts/{post_id}/reject", data={"csrf": token, "reason": reason})
    history = queue.show_post(app, post_id).history
    assert [(line.action, line.actor) for line in history[1:]] == [
        ("edit", "editor-so-khcn"),
        ("reject", "approver-so-khcn"),
    ]
    assert history[-1].reason == reason


def test_queue_filters_and_pages(engine: Engine, client: TestClient, sign_in: SignIn) -> None:
    """Newest first, filtered by channel; a page of 50 links to the next, which starts below
    the last id shown."""
    for n in range(26):
        make_posts(
            engine, feed(channels=("facebook", "zalo")), parsed(f"Tin số {n:02d} về KH&CN", n)
        )
    sign_in("editor")
    first = client.get("/")
    assert first.text.index("Tin số 25") < first.text.index("Tin số 01")
    assert first.text.count('<a href="/posts/') == 50 and "before=" in first.text
    older = client.get("/?before=3")
    assert older.text.count('<a href="/posts/') == 2
    zalo = client.get("/?channel=zalo")
    assert zalo.text.count("→ zalo") == 26 and "→ facebook" not in zalo.text
    assert client.get("/?channel=facebok").status_code == 400


def test_an_unknown_post_is_404(client: TestClient, sign_in: SignIn) -> None:
    sign_in("editor")
    assert client.get("/posts/424242").status_code == 404
