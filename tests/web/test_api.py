"""The JSON API under /api/v1: bearer tokens only (a session cookie authorizes nothing), the
pages' permission table, the services' refusals as JSON, feed text as data, and a schema and a
docs page that list every operation."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from storage.session import writing
from syndicator.app import App
from syndicator.services import api_tokens, queue, users
from tests.helpers.clock import FakeClock
from tests.helpers.posts import BODY, feed, make_posts, parsed, walk

MakeToken = Callable[[str], str]
OPERATIONS = {
    ("get", "/queue"),
    ("get", "/posts/{post_id}"),
    ("post", "/posts/{post_id}/approve"),
    ("post", "/posts/{post_id}/reject"),
    ("post", "/posts/{post_id}/edit"),
    ("get", "/feeds"),
    ("get", "/channels"),
}


@pytest.fixture
def api_token(app: App) -> MakeToken:
    """Adds a user of `role` (named `<role>-api`) and returns a new API token of theirs."""

    def token_for(role: str) -> str:
        name = f"{role}-api"
        users.add_user(app, name, role, "mật khẩu đủ dài 2027", by="test")
        return api_tokens.create_api_token(app, name, "kịch bản", by="test")

    return token_for


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_no_token_is_401_with_a_bearer_challenge(engine: Engine, client: TestClient) -> None:
    """Without a token every operation is refused 401 in JSON, and an action changes nothing."""
    (post_id,) = make_posts(engine, feed())
    for answer in (
        client.get("/api/v1/queue"),
        client.get(f"/api/v1/posts/{post_id}"),
        client.post(f"/api/v1/posts/{post_id}/approve", json={"version": 0}),
        client.get("/api/v1/queue", headers={"Authorization": "Basic YW46YW4="}),
    ):
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
        assert "API token is required" in answer.json()["error"]


def test_api_responses_set_no_cookie(client: TestClient, api_token: MakeToken) -> None:
    """The API reads no cookie, so none is set on its answers (a page's still carries the
    session); the security headers stay."""
    token = api_token("editor")
    for answer in (
        client.get("/api/v1/queue?lang=en", headers=bearer(token)),
        client.get("/api/v1/queue"),
        client.get("/api/v1/no-such-path"),
    ):
        assert "set-cookie" not in answer.headers, answer.request.url
        assert answer.headers["x-content-type-options"] == "nosniff"
    assert "set-cookie" in client.get("/login").headers


@pytest.mark.parametrize("token", ["synd_not-a-token", "abc", "synd_" + "x" * 500])
def test_an_unknown_token_is_401(client: TestClient, token: str) -> None:
    answer = client.get("/api/v1/queue", headers=bearer(token))
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_a_revoked_token_is_401(app: App, client: TestClient, api_token: MakeToken) -> None:
    token = api_token("approver")
    assert client.get("/api/v1/queue", headers=bearer(token)).status_code == 200
    (row,) = api_tokens.list_api_tokens(app, "approver-api")
    api_tokens.revoke_api_token(app, row.id, by="test")
    answer = client.get("/api/v1/queue", headers=bearer(token))
    assert answer.status_code == 401 and "revoked" in answer.json()["error"]


def test_a_disabled_users_token_is_401(app: App, client: TestClient, api_token: MakeToken) -> None:
    token = api_token("approver")
    users.disable_user(app, "approver-api", by="test")
    assert client.get("/api/v1/queue", headers=bearer(token)).status_code == 401


def test_an_editor_token_cannot_approve(
    app: App, engine: Engine, client: TestClient, api_token: MakeToken
) -> None:
    """403 in JSON, and the post stays as it was."""
    (post_id,) = make_posts(engine, feed())
    answer = client.post(
        f"/api/v1/posts/{post_id}/approve", json={"version": 0}, headers=bearer(api_token("editor"))
    )
    assert answer.status_code == 403 and "approve" in answer.json()["error"]
    shown = queue.show_post(app, post_id)
    assert (shown.status, shown.version, len(shown.history)) == ("pending_review", 0, 1)


def test_an_approver_approves_the_version_seen(
    app: App, engine: Engine, client: TestClient, api_token: MakeToken
) -> None:
    """200 with the post as it is now; the audit event names the token's user; no form token
    is asked for (the API is outside the pages' CSRF check)."""
    (post_id,) = make_posts(engine, feed())
    token = api_token("approver")
    seen = client.get(f"/api/v1/posts/{post_id}", headers=bearer(token)).json()
    answer = client.post(
        f"/api/v1/posts/{post_id}/approve", json={"version": seen["version"]}, headers=bearer(token)
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "approved"
    assert answer.json()["history"][-1]["actor"] == "approver-api"
    last = queue.show_post(app, post_id).history[-1]
    assert (last.action, last.actor) == ("approve", "approver-api")


def test_a_stale_version_is_409(
    app: App, engine: Engine, client: TestClient, api_token: MakeToken
) -> None:
    (post_id,) = make_posts(engine, feed())
    token = api_token("approver")
    queue.edit(app, post_id, "bien-tap", "Sở KH&CN thông báo: hội nghị dời sang ngày 20/11.")
    answer = client.post(
        f"/api/v1/posts/{post_id}/approve", json={"version": 0}, headers=bearer(token)
    )
    assert answer.status_code == 409 and "đã thay đổi" in answer.json()["error"]
    assert queue.show_post(app, post_id).status == "pending_review"


def test_edit_and_reject(
    app: App, engine: Engine, client: TestClient, api_token: MakeToken
) -> None:
    """An edit is stored under the user's name at a new version; a rejection needs a reason."""
    (post_id,) = make_posts(engine, feed())
    token = api_token("approver")
    words = "Sở KH&CN thông báo: hội nghị chuyển đổi số dời sang ngày 20/11/2027."
    edited = client.post(
        f"/api/v1/posts/{post_id}/edit", json={"text": words}, headers=bearer(token)
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["preview"]["text"], edited.json()["version"]) == (words, 1)
    empty = client.post(
        f"/api/v1/posts/{post_id}/reject", json={"reason": " "}, headers=bearer(token)
    )
    assert empty.status_code == 409
    done = client.post(
        f"/api/v1/posts/{post_id}/reject", json={"reason": "Trùng tin"}, headers=bearer(token)
    )
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    history = queue.show_post(app, post_id).history
    assert [(line.action, line.actor) for line in history[1:]] == [
        ("edit", "approver-api"),
        ("reject", "approver-api"),
    ]


def test_an_unknown_post_is_404(client: TestClient, api_token: MakeToken) -> None:
    token = api_token("approver")
    for answer in (
        client.get("/api/v1/posts/999", headers=bearer(token)),
        client.post("/api/v1/posts/999/approve", json={"version": 0}, headers=bearer(token)),
        client.post("/api/v1/posts/999/edit", json={"text": "Một đoạn văn"}, headers=bearer(token)),
        client.get("/api/v1/no-such-operation", headers=bearer(token)),
    ):
        assert answer.status_code == 404 and answer.json()["error"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("feed=khong-co", "unknown feed 'khong-co'; known feeds: skhcn"),
        ("channel=tiktok", "unknown channel 'tiktok'"),
        ("status=done", "unknown status 'done'"),
        ("limit=0", "query.limit"),
        ("before_id=x", "query.before_id"),
    ],
)
def test_an_unknown_filter_is_400(
    client: TestClient, api_token: MakeToken, query: str, message: str
) -> None:
    answer = client.get(f"/api/v1/queue?{query}", headers=bearer(api_token("editor")))
    assert answer.status_code == 400 and message in answer.json()["error"]


def test_a_malformed_body_is_400(engine: Engine, client: TestClient, api_token: MakeToken) -> None:
    (post_id,) = make_posts(engine, feed())
    token = api_token("approver")
    for body in ({}, {"version": "mới"}, {"version": 0, "extra": 1}):
        answer = client.post(f"/api/v1/posts/{post_id}/approve", json=body, headers=bearer(token))
        assert answer.status_code == 400 and "body" in answer.json()["error"], body


def test_queue_filters_and_pages(engine: Engine, client: TestClient, api_token: MakeToken) -> None:
    """Newest first, `limit` at a time; `next_before_id` leads to the next page, null at the end."""
    ids = [make_posts(engine, feed(), parsed(f"Tin số {n}", n))[0] for n in range(1, 4)]
    token = api_token("editor")
    first = client.get("/api/v1/queue?limit=2&status=pending_review", headers=bearer(token)).json()
    assert [row["id"] for row in first["posts"]] == [ids[2], ids[1]]
    assert first["posts"][0]["version"] == 0 and first["next_before_id"] == ids[1]
    rest = client.get(f"/api/v1/queue?limit=2&before_id={ids[1]}", headers=bearer(token)).json()
    assert ([row["id"] for row in rest["posts"]], rest["next_before_id"]) == ([ids[0]], None)
    none = client.get("/api/v1/queue?status=published", headers=bearer(token)).json()
    assert none == {"posts": [], "next_before_id": None}


def test_feed_text_comes_back_as_the_same_json_string(
    engine: Engine, client: TestClient, api_token: MakeToken
) -> None:
    """Markup from a feed is data: the same characters, in JSON, never HTML."""
    title, summary = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"
    item = dataclasses.replace(parsed(title), summary=summary, content_html=f"<p>{summary}</p>")
    (post_id,) = make_posts(engine, feed(), item)
    token = api_token("editor")
    listing = client.get("/api/v1/queue", headers=bearer(token))
    assert listing.headers["content-type"] == "application/json"
    assert listing.json()["posts"][0]["title"] == title
    shown = client.get(f"/api/v1/posts/{post_id}", headers=bearer(token))
    assert shown.json()["title"] == title and "&lt;" not in shown.text
    assert shown.headers["x-content-type-options"] == "nosniff"


def test_the_token_is_stored_only_as_its_digest(
    app: App, engine: Engine, api_token: MakeToken
) -> None:
    token = api_token("editor")
    assert token.startswith("synd_") and len(token) > 40
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text("SELECT * FROM api_token"))]
    (row,) = rows
    assert hashlib.sha256(token.encode()).hexdigest() in row
    assert not any(token in str(value) or token[5:] in str(value) for value in row)


def test_use_is_recorded_at_most_once_a_minute(
    app: App, client: TestClient, clock: FakeClock, api_token: MakeToken
) -> None:
    token = api_token("editor")
    assert api_tokens.list_api_tokens(app, "editor-api")[0].last_used_at is None
    client.get("/api/v1/feeds", headers=bearer(token))
    first = clock.now()
    clock.advance(seconds=59)
    client.get("/api/v1/feeds", headers=bearer(token))
    assert api_tokens.list_api_tokens(app, "editor-api")[0].last_used_at == first
    clock.advance(seconds=1)
    client.get("/api/v1/feeds", headers=bearer(token))
    assert api_tokens.list_api_tokens(app, "editor-api")[0].last_used_at == clock.now()


def test_a_signed_in_session_alone_does_not_authorize(
    app: App, engine: Engine, client: TestClient, sign_in: Callable[[str], str]
) -> None:
    """The API reads no cookie: an admin's page session, even with its form token, gets 401."""
    (post_id,) = make_posts(engine, feed())
    csrf = sign_in("admin")
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/queue").status_code == 401
    answer = client.post(
        f"/api/v1/posts/{post_id}/approve", json={"version": 0}, headers={"X-CSRF": csrf}
    )
    assert answer.status_code == 401
    assert queue.show_post(app, post_id).status == "pending_review"


def test_feeds_and_channels(client: TestClient, api_token: MakeToken) -> None:
    token = api_token("editor")
    (skhcn,) = client.get("/api/v1/feeds", headers=bearer(token)).json()["feeds"]
    assert (skhcn["feed"], skhcn["name"], skhcn["broken"]) == (
        "skhcn",
        "Sở Khoa học và Công nghệ",
        False,
    )
    channels = client.get("/api/v1/channels", headers=bearer(token)).json()["channels"]
    by_name = {row["name"]: row for row in channels}
    assert set(by_name) == {"facebook", "zalo"}
    assert by_name["facebook"]["token"]["ok"] is False  # no page token in the test settings
    assert by_name["zalo"]["enabled"] is False and by_name["zalo"]["paused"] is False


def test_the_schema_lists_every_operation(client: TestClient) -> None:
    """`/api/v1/openapi.json` lists each operation under the /api/v1 server, with bearer
    authorization; no page of the site is in it."""
    schema = client.get("/api/v1/openapi.json").json()
    listed = {(method, path) for path, item in schema["paths"].items() for method in item}
    assert listed == OPERATIONS
    assert schema["servers"] == [{"url": "/api/v1"}]
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_the_docs_page_needs_no_script(client: TestClient) -> None:
    """Every operation on a server-rendered page within the site's CSP: no script, no CDN."""
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for method, path in OPERATIONS:
        assert f"<code>{method.upper()} /api/v1{path}</code>" in page.text
    assert "<script" not in page.text and "cdn" not in page.text.lower()
    assert "script-src 'self'" in page.headers["content-security-policy"]


WATCHED = "Hội nghị phổ biến văn bản tối mật về quốc phòng năm 2027"
CARD = {"cover", "title", "author", "description", "link_host"}
REFUSED = [("approve", "approved"), ("claim", "publishing"), ("refuse", "failed")]


def undocumented(
    value: object, schema: Mapping[str, Any], components: Mapping[str, Any], where: str = ""
) -> list[str]:
    """Where an answer and its schema differ: a field the schema does not list, or one it
    lists that the answer lacks; nested objects and lists too."""
    schema = components.get(schema.get("$ref", "").rpartition("/")[2], schema)
    if "anyOf" in schema:  # our schemas: X or null
        if value is None:
            return [] if {"type": "null"} in schema["anyOf"] else [f"{where}: null"]
        (schema,) = [option for option in schema["anyOf"] if option != {"type": "null"}]
        return undocumented(value, schema, components, where)
    if isinstance(value, dict):
        listed = schema.get("properties", {})
        problems = [f"{where}.{key}: not in the schema" for key in value.keys() - listed.keys()]
        problems += [f"{where}.{key}: missing" for key in listed.keys() - value.keys()]
        for key in value.keys() & listed.keys():
            problems += undocumented(value[key], listed[key], components, f"{where}.{key}")
        return problems
    if isinstance(value, list):
        items = schema.get("items", {})
        return [
            p
            for n, v in enumerate(value)
            for p in undocumented(v, items, components, f"{where}[{n}]")
        ]
    return []


def test_every_answer_is_what_the_schema_documents(
    app: App, engine: Engine, client: TestClient, api_token: MakeToken
) -> None:
    """Each operation's answer has exactly the fields its OpenAPI schema lists and requires,
    nested ones too (a refused post's failure, a channel's token, the preview's card), so a
    client generated from the schema reads every field."""
    facebook, zalo = make_posts(engine, feed(channels=("facebook", "zalo")), parsed(WATCHED))
    with writing(engine) as session:
        walk(session, facebook, REFUSED, app.clock.now(), last_error="(#200) Permissions error")
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    headers = bearer(api_token("approver"))
    edit = {"text": "Sở KH&CN thông báo: hội nghị dời sang ngày 20/11/2027."}
    answers = {
        ("get", "/queue"): client.get("/api/v1/queue", headers=headers),
        ("get", "/posts/{post_id}"): client.get(f"/api/v1/posts/{facebook}", headers=headers),
        ("post", "/posts/{post_id}/edit"): client.post(
            f"/api/v1/posts/{zalo}/edit", json=edit, headers=headers
        ),
        ("post", "/posts/{post_id}/approve"): client.post(
            f"/api/v1/posts/{zalo}/approve", json={"version": 1}, headers=headers
        ),
        ("get", "/feeds"): client.get("/api/v1/feeds", headers=headers),
        ("get", "/channels"): client.get("/api/v1/channels", headers=headers),
    }
    assert answers[("get", "/posts/{post_id}")].json()["failure"]["refused"] is True
    for (method, path), answer in answers.items():
        assert answer.status_code == 200, (path, answer.text)
        documented = schema["paths"][path][method]["responses"]["200"]["content"]
        assert (
            undocumented(answer.json(), documented["application/json"]["schema"], components) == []
        )
    for name, component in components.items():
        listed = component.get("properties", {})
        assert listed and set(component.get("required", [])) <= set(listed), name


def test_the_preview_carries_the_card_the_page_shows(
    engine: Engine, client: TestClient, api_token: MakeToken
) -> None:
    """A post's preview names the picture, title, author, description and link host that the
    page's link card or article shows; the schema lists each of them as always there."""
    facebook, zalo = make_posts(engine, feed(channels=("facebook", "zalo")), parsed(WATCHED))
    headers = bearer(api_token("editor"))

    def card(post_id: int) -> tuple[object, ...]:
        preview = client.get(f"/api/v1/posts/{post_id}", headers=headers).json()["preview"]
        return tuple(
            preview[key] for key in ("cover", "title", "author", "description", "link_host")
        )

    cover, host = "https://skhcn.gov.vn/a.jpg", "skhcn.gov.vn"
    assert card(facebook) == (cover, "", "", "", host)  # a link card: the article's own picture
    assert card(zalo) == (cover, WATCHED, "Sở KH&CN", BODY, host)
    preview = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["Preview"]
    assert set(preview["properties"]) >= CARD and set(preview["required"]) >= CARD


def test_flagged_lists_the_rows_with_reasons_to_check(
    engine: Engine, client: TestClient, api_token: MakeToken
) -> None:
    """`flagged=true` lists the posts whose `to_check` is not empty: a post held only by its
    feed's `review = "required"` keeps that reason in `reasons`, but has nothing to check."""
    (plain,) = make_posts(engine, feed(), parsed("Thông báo lịch tiếp công dân tháng 11", 1))
    (watched,) = make_posts(engine, feed(), parsed(WATCHED, 2))
    headers = bearer(api_token("editor"))
    rows = {row["id"]: row for row in client.get("/api/v1/queue", headers=headers).json()["posts"]}
    assert (rows[plain]["reasons"], rows[plain]["to_check"]) == (["review_required"], [])
    assert rows[watched]["to_check"] == rows[watched]["reasons"][1:]
    assert rows[watched]["to_check"] and all(
        r.startswith("watch_word:") for r in rows[watched]["to_check"]
    )
    flagged = client.get("/api/v1/queue?flagged=true", headers=headers).json()["posts"]
    assert [row["id"] for row in flagged] == [watched]


def test_no_answer_carries_a_secret(
    app: App, engine: Engine, client: TestClient, api_token: MakeToken
) -> None:
    """No field of the schema is named like a secret, and no answer carries the API token, its
    digest, or a user's password hash."""
    (post_id,) = make_posts(engine, feed())
    token = api_token("admin")
    digest = hashlib.sha256(token.encode()).hexdigest()
    schema = client.get("/api/v1/openapi.json").json()
    fields = [
        name for c in schema["components"]["schemas"].values() for name in c.get("properties", {})
    ]
    assert not [
        name for name in fields if any(w in name for w in ("digest", "password", "secret", "hash"))
    ]
    headers = bearer(token)
    for path in ("/queue", f"/posts/{post_id}", "/feeds", "/channels", "/openapi.json", "/docs"):
        answer = client.get(f"/api/v1{path}", headers=headers)
        assert answer.status_code == 200, path
        assert token[5:] not in answer.text and digest not in answer.text, path
        assert "$argon2" not in answer.text, path
