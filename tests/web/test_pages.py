"""The pages every role reads (published posts, feeds, channels, alerts) and the navigation:
anonymous users go to login, feed text shows as text, the links a role sees."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from storage.models import Alert, FeedState
from storage.session import writing
from syndicator.app import App
from tests.helpers.posts import feed, make_posts, parsed, walk

SignIn = Callable[[str], str]
SCRIPT = "<script>alert(1)</script>"
PAGES = ["/published", "/feeds", "/channels", "/alerts", "/users"]
PUBLISH = [("approve", "approved"), ("claim", "publishing"), ("publish", "published")]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_users_are_sent_to_login(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 303 and urlsplit(answer.headers["location"]).path == "/login"


@pytest.mark.parametrize("role", ["editor", "approver"])
def test_every_role_reads_the_pages_and_only_admins_see_users(
    client: TestClient, sign_in: SignIn, role: str
) -> None:
    sign_in(role)
    for path in PAGES[:-1]:
        page = client.get(path)
        assert page.status_code == 200, path
        assert f'href="{path}" aria-current="page"' in page.text
    assert 'href="/users"' not in client.get("/").text
    assert client.get("/users").status_code == 403


def test_admins_see_the_users_link(client: TestClient, sign_in: SignIn) -> None:
    sign_in("admin")
    assert 'href="/users"' in client.get("/").text
    assert client.get("/users").status_code == 200


def test_published_posts_link_to_the_platform_and_escape_titles(
    app: App, engine: Engine, client: TestClient, sign_in: SignIn
) -> None:
    """Newest published first, each with the link the platform gave; a title with markup and
    a link that is not http(s) stay inert."""
    first, second = (
        make_posts(engine, feed(), parsed(t, n))[0] for n, t in enumerate(["Tin cũ", SCRIPT])
    )
    now = app.clock.now()
    with writing(engine) as session:
        walk(
            session,
            first,
            PUBLISH,
            now,
            remote_url="https://www.facebook.com/1_1",
            published_at=now - timedelta(hours=1),
        )
        walk(session, second, PUBLISH, now, remote_url="javascript:alert(1)", published_at=now)
    sign_in("editor")
    page = client.get("/published").text
    assert page.index("&lt;script&gt;alert(1)&lt;/script&gt;") < page.index("Tin cũ")
    assert 'href="https://www.facebook.com/1_1"' in page and "Mở trên facebook" in page
    assert "<script" not in page and 'href="javascript:' not in page


def test_published_pages_go_older_by_the_last_post_shown(
    app: App, engine: Engine, client: TestClient, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full page links to the next by its last post; the last page has no "older" link; a
    page after the first links back to the newest. Exactly one page's worth: no "older"."""
    monkeypatch.setattr("syndicator.web.routes.views.PAGE", 2)
    ids = [make_posts(engine, feed(), parsed(f"Tin số {n}", n))[0] for n in range(3)]
    now = app.clock.now()
    with writing(engine) as session:
        for minutes, post_id in enumerate(ids):
            walk(session, post_id, PUBLISH, now, published_at=now - timedelta(minutes=minutes))
    sign_in("editor")
    first = client.get("/published").text
    assert f'href="/published?before={ids[1]}"' in first and 'href="/published">' not in first
    assert "Tin số 0" in first and "Tin số 2" not in first
    second = client.get(f"/published?before={ids[1]}").text
    assert "Tin số 2" in second and "Tin số 0" not in second and "?before=" not in second
    assert 'href="/published">' in second
    monkeypatch.setattr("syndicator.web.routes.views.PAGE", 3)
    assert "?before=" not in client.get("/published").text
    assert client.get("/published?before=0").status_code == 422


def test_feeds_page_shows_state_and_escapes_errors(
    app: App, client: TestClient, sign_in: SignIn
) -> None:
    now = app.clock.now()
    with writing(app.migrated_engine()) as session:
        session.add(
            FeedState(
                feed_id="skhcn",
                url="https://skhcn.gov.vn/rss",
                last_success_at=now - timedelta(days=1),
                last_error_at=now,
                last_error=f"not a feed: {SCRIPT}",
                error_reason="not_a_feed",
                consecutive_failures=3,
            )
        )
    sign_in("editor")
    page = client.get("/feeds?lang=en").text
    assert "Sở Khoa học và Công nghệ" in page and "not_a_feed" in page
    assert "3 failures in a row" in page and "Failing" in page
    assert "not a feed: &lt;script&gt;" in page and "<script" not in page


def test_alerts_open_first(app: App, client: TestClient, sign_in: SignIn) -> None:
    now = app.clock.now()
    with writing(app.migrated_engine()) as session:
        session.add(
            Alert(
                key="feed_broken:skhcn",
                kind="feed_broken",
                subject=f"skhcn {SCRIPT}",
                opened_at=now - timedelta(hours=2),
            )
        )
        session.add(
            Alert(
                key="channel_paused:facebook",
                kind="channel_paused",
                subject="facebook",
                opened_at=now - timedelta(hours=1),
                resolved_at=now,
            )
        )
    sign_in("editor")
    page = client.get("/alerts").text
    assert page.index("Nguồn tin hỏng") < page.index("Kênh tạm dừng")
    assert "skhcn &lt;script&gt;" in page and "<script" not in page


def test_pages_fit_a_phone_and_label_their_controls(
    engine: Engine, client: TestClient, sign_in: SignIn
) -> None:
    """Every control has a label (or aria-label); the viewport meta makes 375 px usable; no
    inline script or style that the CSP would block."""
    make_posts(engine, feed())
    sign_in("admin")
    for path in ["/", *PAGES]:
        page = client.get(path).text
        assert 'name="viewport" content="width=device-width' in page
        assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=", page), path
        for control_id in _ids_of_controls(page):
            assert f'for="{control_id}"' in page or "aria-label" in page, (path, control_id)


def _ids_of_controls(page: str) -> list[str]:
    return re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\sid="([^"]+)"', page)


@pytest.mark.parametrize("path", ["/", "/published", "/audit"])
def test_a_page_cursor_past_any_id_is_refused_not_a_database_error(
    client: TestClient, sign_in: SignIn, path: str
) -> None:
    """`before` at the largest INTEGER id is a page (empty); one past it is a 422, on both
    databases (PostgreSQL would fail on comparing an INTEGER with it)."""
    sign_in("admin")
    assert client.get(f"{path}?before={2**31 - 1}").status_code == 200
    assert client.get(f"{path}?before={2**31}").status_code == 422
