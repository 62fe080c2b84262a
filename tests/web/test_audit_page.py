"""`/audit`: the audit trail of admin actions, for admins only, newest first in the site's
timezone, in Vietnamese (English on request), filtered by who and what, 50 a page with an
"older" link; names and labels people typed show as text."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from storage.admin_events import record_admin_event
from storage.session import writing
from syndicator.app import App
from syndicator.services import api_tokens, users

SignIn = Callable[[str], str]
SCRIPT = "<script>alert(1)</script>"
PASSWORD = "mật khẩu đủ dài 2027"
ADMIN = "admin-so-khcn"  # the name the sign_in fixture gives an admin
OLDER = re.compile(r'<a href="([^"]+)">Cũ hơn</a>')
SUBJECT = re.compile(r"</strong>: ([^\n]*)")


def shown(page: str) -> int:
    """How many admin actions the page lists."""
    return page.count("<li>")


def subjects(page: str) -> list[str]:
    return SUBJECT.findall(page)


def add_actions(app: App, count: int, actor: str = "shell", action: str = "user_add") -> None:
    """`count` actions, a minute apart, all older than the sign-in's own."""
    start = app.clock.now() - timedelta(days=1)
    with writing(app.migrated_engine()) as session:
        for n in range(count):
            at = start + timedelta(minutes=n)
            record_admin_event(session, at, actor, action, f"Cán bộ số {n}")


def test_anonymous_users_are_sent_to_login(client: TestClient) -> None:
    answer = client.get("/audit")
    assert answer.status_code == 303 and urlsplit(answer.headers["location"]).path == "/login"


@pytest.mark.parametrize("role", ["editor", "approver"])
def test_only_admins_read_it_or_see_its_link(
    client: TestClient, sign_in: SignIn, role: str
) -> None:
    sign_in(role)
    assert client.get("/audit").status_code == 403
    assert 'href="/audit"' not in client.get("/").text


def test_admin_reads_the_actions_in_vietnamese_and_local_time(
    app: App, client: TestClient, sign_in: SignIn
) -> None:
    """The sign-in's own user_add, then a role change, newest first, at 11:00 in Hà Nội
    (04:00 UTC); the navigation marks the page."""
    sign_in("admin")
    users.add_user(app, "Nguyễn Thị An", "editor", PASSWORD, by=ADMIN)
    users.set_role(app, "Nguyễn Thị An", "approver", by=ADMIN)
    page = client.get("/audit")
    assert page.status_code == 200
    text = page.text
    assert 'href="/audit" aria-current="page"' in text and "Nhật ký quản trị" in text
    listed = text.split('<ul class="posts">', 1)[1]
    assert listed.index("Đổi vai trò") < listed.index("Thêm người dùng")
    assert "<strong>Đổi vai trò</strong>: Nguyễn Thị An" in text
    assert "01/11/2026 11:00 · do admin-so-khcn thực hiện" in text
    assert "editor -&gt; approver" in text and shown(text) == 3
    english = client.get("/audit?lang=en").text
    assert "<strong>Role changed</strong>: Nguyễn Thị An" in english
    assert "by admin-so-khcn" in english


def test_what_people_typed_shows_as_text(app: App, client: TestClient, sign_in: SignIn) -> None:
    """A token label, a subject and an actor carrying markup are escaped everywhere they show,
    the actor filter's choices included."""
    sign_in("admin")
    api_tokens.create_api_token(app, ADMIN, SCRIPT, by=ADMIN)
    with writing(app.migrated_engine()) as session:
        record_admin_event(session, app.clock.now(), '"><b>kẻ lạ', "channel_resume", SCRIPT)
    text = client.get("/audit").text
    assert SCRIPT not in text and "<b>" not in text
    assert "label=&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<strong>Mở lại kênh</strong>: &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert '<option value="&#34;&gt;&lt;b&gt;kẻ lạ">&#34;&gt;&lt;b&gt;kẻ lạ</option>' in text


def test_fifty_a_page_and_the_older_link_shows_the_rest(
    app: App, client: TestClient, sign_in: SignIn
) -> None:
    """With the sign-in's own action, 51: the first page shows 50 and links to the 51st."""
    sign_in("admin")
    add_actions(app, 50)
    first = client.get("/audit").text
    assert shown(first) == 50 and subjects(first)[-2:] == ["Cán bộ số 2", "Cán bộ số 1"]
    assert ">Mới nhất</a>" not in first
    older = OLDER.search(first)
    assert older is not None
    second = client.get(older.group(1).replace("&amp;", "&")).text
    assert subjects(second) == ["Cán bộ số 0"]
    assert OLDER.search(second) is None and '<a href="/audit">Mới nhất</a>' in second


def test_exactly_fifty_have_no_older_link(app: App, client: TestClient, sign_in: SignIn) -> None:
    sign_in("admin")
    add_actions(app, 49)
    page = client.get("/audit").text
    assert shown(page) == 50 and OLDER.search(page) is None


def test_filters_by_who_and_what_and_the_older_link_keeps_them(
    app: App, client: TestClient, sign_in: SignIn
) -> None:
    sign_in("admin")
    add_actions(app, 51, actor="Trần Văn Bình", action="user_disable")
    add_actions(app, 3, actor="shell", action="user_disable")
    page = client.get("/audit", params={"actor": "Trần Văn Bình", "action": "user_disable"})
    text = page.text
    assert shown(text) == 50 and "do shell" not in text
    assert '<option value="Trần Văn Bình" selected>' in text
    assert '<option value="user_disable" selected>Vô hiệu hóa người dùng</option>' in text
    older = OLDER.search(text)
    assert older is not None and "action=user_disable" in older.group(1)
    rest = client.get(older.group(1).replace("&amp;", "&")).text
    assert subjects(rest) == ["Cán bộ số 0"] and "do shell" not in rest
    added = client.get("/audit", params={"action": "user_add"}).text
    assert shown(added) == 1 and "Thêm người dùng" in added


def test_nothing_matching_and_an_unknown_action(client: TestClient, sign_in: SignIn) -> None:
    sign_in("admin")
    empty = client.get("/audit", params={"action": "channel_resume"})
    assert empty.status_code == 200 and "Không có thao tác quản trị nào phù hợp." in empty.text
    unknown = client.get("/audit", params={"action": "user_delete"})
    assert unknown.status_code == 400 and "unknown action &#39;user_delete&#39;" in unknown.text
