"""Reading the admin audit trail: newest first with ties on the time broken by id, filtered by
actor, action and age, a page at a time by keyset (the last row's time and id), on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher

from storage import publishing as publish_store
from storage.admin_events import record_admin_event
from storage.session import writing
from syndicator.app import App
from syndicator.services import api_tokens, audit, channels, credentials, sign_in, users
from syndicator.services.audit import PAGE, AdminAction, AuditFilter, UnknownAction

PASSWORD = "mật khẩu đủ dài 2026"
ADMIN = "Quản Trị Viên"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        credentials, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


def write(app: App, *events: tuple[datetime, str, str, str]) -> None:
    """(at, actor, action, subject) rows, in this order (so ids grow along the arguments)."""
    with writing(app.migrated_engine()) as session:
        for at, actor, action, subject in events:
            record_admin_event(session, at, actor, action, subject)


def subjects(page: audit.AuditPage) -> list[str]:
    return [row.subject for row in page.rows]


def every_action_once(app: App) -> None:
    """Each service that writes the trail, once: the first admin, then what an admin does."""
    link = sign_in.first_admin_link(app)
    assert link is not None
    sign_in.create_first_admin(app, link, ADMIN, PASSWORD)
    users.add_user(app, "Nguyễn Thị An", "editor", PASSWORD, by=ADMIN)
    users.set_role(app, "Nguyễn Thị An", "approver", by=ADMIN)
    api_tokens.create_api_token(app, "Nguyễn Thị An", "sao lưu hằng đêm", by="shell")
    (token,) = api_tokens.list_api_tokens(app, "Nguyễn Thị An")
    api_tokens.revoke_api_token(app, token.id, by=ADMIN)
    users.disable_user(app, "Nguyễn Thị An", by=ADMIN)
    now = app.clock.now()
    with writing(app.migrated_engine()) as session:
        publish_store.set_pause(session, "facebook", now + timedelta(hours=1), "rate", now)
    channels.resume_channel(app, "facebook", by=ADMIN)


def test_every_action_written_is_a_known_one_and_each_filters(app: App) -> None:
    """The services write only actions the filter offers, and each selects its own."""
    every_action_once(app)
    written = [row.action for row in audit.admin_events(app).rows]
    assert len(set(written)) == len(written) == 7 and set(written) <= set(AdminAction)
    for action in written:
        page = audit.admin_events(app, AuditFilter(action=action))
        assert [row.action for row in page.rows] == [action] and page.older is None


def test_an_unknown_action_is_refused_naming_the_known_ones(app: App) -> None:
    with pytest.raises(UnknownAction, match="user_add"):
        audit.admin_events(app, AuditFilter(action="user_delete"))


def test_actor_is_matched_as_sign_in_matches_names(app: App) -> None:
    """A user's name in another case or spacing finds their actions; "shell" finds the
    shell's; a blank actor is no filter; a name nobody used finds nothing."""
    every_action_once(app)
    mine = audit.admin_events(app, AuditFilter(actor="  quản   trị viên "))
    assert {row.actor for row in mine.rows} == {ADMIN} and len(mine.rows) == 6
    shell = audit.admin_events(app, AuditFilter(actor="shell"))
    assert [row.action for row in shell.rows] == ["api_token_create"]
    assert len(audit.admin_events(app, AuditFilter(actor=" ")).rows) == 7
    assert audit.admin_events(app, AuditFilter(actor="Trần Văn Bình")).rows == ()
    assert audit.admin_event_actors(app) == sorted([ADMIN, "shell"])


def test_within_keeps_an_action_exactly_that_old_and_drops_one_a_second_older(
    app: App,
) -> None:
    edge = app.clock.now() - timedelta(hours=1)
    write(
        app,
        (edge - timedelta(seconds=1), "shell", "user_add", "cũ hơn một giây"),
        (edge, "shell", "user_add", "đúng một giờ"),
        (app.clock.now(), "shell", "user_add", "vừa xong"),
    )
    page = audit.admin_events(app, AuditFilter(within=timedelta(hours=1)))
    assert subjects(page) == ["vừa xong", "đúng một giờ"]


def test_newest_first_with_ties_on_the_time_in_id_order(app: App) -> None:
    """Time decides first (a later id with an older time comes after); equal times go by id,
    the last written first, also across a page boundary inside the tie."""
    now = app.clock.now()
    write(
        app,
        (now, "shell", "user_add", "a"),
        (now, "shell", "user_add", "b"),
        (now - timedelta(minutes=1), "shell", "user_add", "older, written later"),
        (now, "shell", "user_add", "c"),
    )
    assert subjects(audit.admin_events(app)) == ["c", "b", "a", "older, written later"]
    first = audit.admin_events(app, limit=2)
    assert subjects(first) == ["c", "b"] and first.older == first.rows[-1].id
    second = audit.admin_events(app, limit=2, before=first.older)
    assert subjects(second) == ["a", "older, written later"] and second.older is None


@pytest.mark.parametrize(("count", "pages"), [(PAGE, [PAGE]), (PAGE + 1, [PAGE, 1])])
def test_pages_of_fifty_at_the_edge(app: App, count: int, pages: list[int]) -> None:
    """Exactly 50 actions are one page with no next one; 51 are a full page and one more."""
    start = app.clock.now() - timedelta(days=count)
    write(
        app, *[(start + timedelta(days=n), "shell", "user_add", f"user {n}") for n in range(count)]
    )
    seen: list[str] = []
    sizes: list[int] = []
    before = None
    while True:
        page = audit.admin_events(app, before=before)
        seen += subjects(page)
        sizes.append(len(page.rows))
        if page.older is None:
            break
        before = page.older
    assert sizes == pages
    assert seen == [f"user {n}" for n in reversed(range(count))]


def test_the_cursor_keeps_the_filters(app: App) -> None:
    """The next page of a filtered list holds only matching actions."""
    now = app.clock.now()
    rows = []
    for n in range(5):
        rows.append((now - timedelta(minutes=n), ADMIN, "user_add", f"thêm {n}"))
        rows.append((now - timedelta(minutes=n), "shell", "user_disable", f"khóa {n}"))
    write(app, *rows)
    chosen = AuditFilter(action="user_disable")
    first = audit.admin_events(app, chosen, limit=3)
    second = audit.admin_events(app, chosen, limit=3, before=first.older)
    assert subjects(first) + subjects(second) == [f"khóa {n}" for n in range(5)]


def test_a_cursor_naming_no_event_goes_by_id(app: App) -> None:
    """A hand-edited `before` that names no event still gives the events with smaller ids."""
    now = app.clock.now()
    write(app, (now, "shell", "user_add", "một"), (now, "shell", "user_add", "hai"))
    everything = audit.admin_events(app).rows
    missing = max(row.id for row in everything) + 1000
    assert subjects(audit.admin_events(app, before=missing)) == ["hai", "một"]
    assert audit.admin_events(app, before=min(row.id for row in everything)).rows == ()
