"""Users: argon2 hashes, one answer for a wrong name or password, the login rate limit at its
edges, the one-time first-admin link, the permissions of every role, and no password in logs."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import select
from structlog.testing import capture_logs

from storage.models import AppUser, SetupLink
from storage.session import reading, writing
from storage.states import Permission, Role
from syndicator.app import App
from syndicator.services import credentials, sign_in, users
from syndicator.services.sign_in import LoginRefused, LoginThrottled
from syndicator.services.user_rules import check_password
from syndicator.services.users import User, UserError
from tests.helpers.clock import FakeClock

PASSWORD = "mật khẩu đủ dài 2026"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # tests need no real cost


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(credentials, "HASHER", CHEAP)


def clock_of(app: App) -> FakeClock:
    assert isinstance(app.clock, FakeClock)
    return app.clock


def stored(app: App, name: str) -> AppUser:
    with reading(app.migrated_engine()) as session:
        return session.exec(select(AppUser).where(AppUser.name == name)).one()


def fail(app: App, name: str = "an", address: str = "10.0.0.1", times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(LoginRefused) as refused:
            sign_in.authenticate(app, name, "sai mật khẩu rồi", address)
        assert not isinstance(refused.value, LoginThrottled)


def test_added_user_is_stored_with_an_argon2_hash(app: App) -> None:
    """A new user gets an argon2id hash, never the password, and is listed and found."""
    assert not users.has_users(app)
    user = users.add_user(app, "Nguyễn Thị An", "editor", PASSWORD, by="admin")
    assert user == User(user.id, "Nguyễn Thị An", Role.EDITOR) and users.has_users(app)
    row = stored(app, "Nguyễn Thị An")
    assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
    assert users.list_users(app) == [user] and users.get_user(app, user.id) == user
    assert users.list_users(app)[0].created_at == clock_of(app).now()


def test_a_64_character_vietnamese_name_is_stored_whole(app: App) -> None:
    """The longest name allowed, with Vietnamese letters, fits its column on both databases;
    one more character is refused."""
    name = "Nguyễn Thị Minh Khai Phòng Thông tin Báo chí Sở Văn hóa Thể thao"[:64]
    assert len(name) == 64
    assert users.add_user(app, name, Role.APPROVER, PASSWORD).name == name
    with pytest.raises(UserError, match="at most 64"):
        users.add_user(app, name + "x", Role.APPROVER, PASSWORD)


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("an", "x" * 11, "at least 12"),
        ("an.nguyen", "AN.NGUYEN", "at least 12"),
        ("nguyễn thị an", "Nguyễn Thị An", "must not be the name"),
        ("nguyenthianhoa", "NguyenThiAnHoa", "must not be the name"),
        ("an", "x" * 1025, "at most 1024"),
        ("", PASSWORD, "must not be empty"),
        ("<script>", PASSWORD, "letters, digits"),
        (".an", PASSWORD, "start with a letter"),
        ("an\u200bhoa", PASSWORD, "letters, digits"),
    ],
)
def test_bad_names_and_passwords_are_refused(
    app: App, name: str, password: str, message: str
) -> None:
    """Each rule refuses with a message in Vietnamese and English, and adds nobody."""
    with pytest.raises(UserError, match=message) as refused:
        users.add_user(app, name, Role.EDITOR, password)
    assert " / " in str(refused.value) and password not in str(refused.value)
    assert not users.has_users(app)


def test_twelve_letters_are_enough() -> None:
    """The shortest password allowed is 12 letters, counted in NFC: a Vietnamese letter typed
    as a base and its marks counts once."""
    check_password("x" * 12, "an")
    check_password(unicodedata.normalize("NFD", "mật khẩu 123"), "an")
    eleven = unicodedata.normalize("NFD", "mật khẩu 12")
    assert len(eleven) > 12
    with pytest.raises(UserError, match="at least 12"):
        check_password(eleven, "an")


def test_unknown_role_and_taken_names_are_refused(app: App) -> None:
    """A role outside editor/approver/admin, and a name taken in another case, are refused."""
    users.add_user(app, "Nguyễn An", Role.ADMIN, PASSWORD)
    with pytest.raises(UserError, match="Unknown role: owner"):
        users.add_user(app, "Trần Bình", "owner", PASSWORD)
    with pytest.raises(UserError, match="is taken"):
        users.add_user(app, "  nguyễn   AN ", Role.EDITOR, PASSWORD)
    assert [user.name for user in users.list_users(app)] == ["Nguyễn An"]


def test_login_by_name_in_any_case_sets_last_login(app: App) -> None:
    """The right password signs in, whatever the name's case or spacing; last_login_at is set."""
    added = users.add_user(app, "Nguyễn An", Role.APPROVER, PASSWORD)
    assert sign_in.authenticate(app, " nguyễn  an", PASSWORD, "10.0.0.1") == added
    assert stored(app, "Nguyễn An").last_login_at == clock_of(app).now()


def test_wrong_password_and_unknown_name_give_one_answer(app: App) -> None:
    """A wrong password and a name nobody has are refused with the same message."""
    users.add_user(app, "an", Role.EDITOR, PASSWORD)
    answers = []
    for name, password in (("an", "wrong password 1"), ("binh", PASSWORD)):
        with pytest.raises(LoginRefused) as refused:
            sign_in.authenticate(app, name, password, "10.0.0.1")
        answers.append((type(refused.value), str(refused.value)))
    assert (
        answers[0]
        == answers[1]
        == (LoginRefused, "Sai tên đăng nhập hoặc mật khẩu / Wrong name or password.")
    )


def test_a_disabled_user_cannot_sign_in(app: App) -> None:
    """A disabled user is refused like a wrong password, is not found, but is still listed."""
    user = users.add_user(app, "an", Role.EDITOR, PASSWORD)
    with writing(app.migrated_engine()) as session:
        row = session.get(AppUser, user.id)
        assert row is not None
        row.disabled_at = clock_of(app).now()
        session.add(row)
    with pytest.raises(LoginRefused, match="Wrong name or password"):
        sign_in.authenticate(app, "an", PASSWORD, "10.0.0.1")
    assert users.get_user(app, user.id) is None
    assert users.list_users(app)[0].disabled_at == clock_of(app).now()


def test_sixth_try_within_the_window_is_throttled(app: App) -> None:
    """Five failures for a name from one address may be tried; the sixth is refused unchecked
    (even with the right password) for 15 minutes; another address may still try."""
    users.add_user(app, "an", Role.EDITOR, PASSWORD)
    fail(app, times=4)
    clock_of(app).advance(minutes=10)
    fail(app)  # the fifth
    with pytest.raises(LoginThrottled) as throttled:
        sign_in.authenticate(app, "an", PASSWORD, "10.0.0.1")
    assert throttled.value.retry_after == timedelta(minutes=5)  # the oldest of the five leaves
    assert "5 phút" in str(throttled.value) and "5 min" in str(throttled.value)
    assert sign_in.authenticate(app, "AN", PASSWORD, "10.0.0.2").name == "an"


@pytest.mark.parametrize(
    ("later", "throttled"),
    [
        (timedelta(minutes=15) - timedelta(microseconds=1), True),
        (timedelta(minutes=15), False),
        (timedelta(minutes=15, seconds=1), False),
    ],
)
def test_failures_count_for_exactly_15_minutes(app: App, later: timedelta, throttled: bool) -> None:
    """A failure counts until it is 15 minutes old: at exactly 15 minutes it no longer does."""
    users.add_user(app, "an", Role.EDITOR, PASSWORD)
    fail(app, times=5)
    clock_of(app).advance(seconds=later.total_seconds())
    if throttled:
        with pytest.raises(LoginThrottled) as refused:
            sign_in.authenticate(app, "an", PASSWORD, "10.0.0.1")
        assert refused.value.retry_after == timedelta(microseconds=1)
    else:
        assert sign_in.authenticate(app, "an", PASSWORD, "10.0.0.1").name == "an"


def test_twenty_failures_from_anywhere_throttle_the_name(app: App) -> None:
    """Twenty failures for a name from twenty addresses throttle it from a 21st address too."""
    users.add_user(app, "an", Role.EDITOR, PASSWORD)
    for n in range(20):
        fail(app, address=f"10.0.1.{n}")
    with pytest.raises(LoginThrottled):
        sign_in.authenticate(app, "an", PASSWORD, "2001:db8::1")


def test_success_clears_that_address_only(app: App) -> None:
    """A success forgets the name's failures from its address, not those from elsewhere."""
    users.add_user(app, "an", Role.EDITOR, PASSWORD)
    fail(app, times=4)
    fail(app, address="10.0.0.9", times=4)
    sign_in.authenticate(app, "an", PASSWORD, "10.0.0.1")
    fail(app, times=5)  # from zero again: five more may be tried
    fail(app, address="10.0.0.9")  # the fifth from there
    with pytest.raises(LoginThrottled):
        sign_in.authenticate(app, "an", PASSWORD, "10.0.0.9")


def test_unknown_names_are_throttled_too(app: App) -> None:
    """Guessing names is limited like guessing passwords."""
    fail(app, name="khong-co", times=5)
    with pytest.raises(LoginThrottled):
        sign_in.authenticate(app, "Khong-Co", PASSWORD, "10.0.0.1")


def test_hash_is_redone_when_the_parameters_change(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hash made under older argon2 parameters is replaced at the next successful login."""
    users.add_user(app, "an", Role.EDITOR, PASSWORD)
    old = stored(app, "an").password_hash
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    monkeypatch.setattr(credentials, "HASHER", stronger)
    sign_in.authenticate(app, "an", PASSWORD, "10.0.0.1")
    new = stored(app, "an").password_hash
    assert new != old and not stronger.check_needs_rehash(new)
    sign_in.authenticate(app, "an", PASSWORD, "10.0.0.1")
    assert stored(app, "an").password_hash == new


def test_first_admin_link_is_stored_as_a_digest(app: App) -> None:
    """With no user, a token of 43 URL-safe characters is made; only its digest is stored."""
    token = sign_in.first_admin_link(app)
    assert token is not None and len(token) == 43
    with reading(app.migrated_engine()) as session:
        (link,) = session.exec(select(SetupLink)).all()
    assert token not in link.token_digest and len(link.token_digest) == 64
    assert link.expires_at == clock_of(app).now() + timedelta(hours=1)
    assert sign_in.setup_link_valid(app, token) and not sign_in.setup_link_valid(app, "other")


@pytest.mark.parametrize(
    ("later", "valid"),
    [
        (timedelta(minutes=59, seconds=59), True),
        (timedelta(hours=1), False),
        (timedelta(hours=1, microseconds=1), False),
    ],
)
def test_first_admin_link_lasts_one_hour(app: App, later: timedelta, valid: bool) -> None:
    """The link works at 59:59 and is refused at 1:00:00 and after."""
    token = sign_in.first_admin_link(app)
    assert token is not None
    clock_of(app).advance(seconds=later.total_seconds())
    assert sign_in.setup_link_valid(app, token) is valid
    if valid:
        admin = sign_in.create_first_admin(app, token, "Quản trị", PASSWORD)
        assert admin.role is Role.ADMIN and users.list_users(app) == [admin]
    else:
        with pytest.raises(UserError, match="expired"):
            sign_in.create_first_admin(app, token, "Quản trị", PASSWORD)
        assert not users.has_users(app)


def test_first_admin_link_is_used_once(app: App) -> None:
    """A used link cannot make a second admin, and no new link is made once users exist."""
    token = sign_in.first_admin_link(app)
    assert token is not None
    sign_in.create_first_admin(app, token, "Quản trị", PASSWORD)
    with pytest.raises(UserError, match="was used already"):
        sign_in.create_first_admin(app, token, "Kẻ lạ", PASSWORD)
    assert not sign_in.setup_link_valid(app, token)
    assert sign_in.first_admin_link(app) is None
    with reading(app.migrated_engine()) as session:
        assert session.exec(select(SetupLink.used_at)).one() == clock_of(app).now()


def test_first_admin_link_is_refused_once_a_user_exists(app: App) -> None:
    """A link made before someone was added from the shell creates nobody."""
    token = sign_in.first_admin_link(app)
    assert token is not None
    users.add_user(app, "an", Role.ADMIN, PASSWORD)
    assert not sign_in.setup_link_valid(app, token)
    with pytest.raises(UserError, match="Users exist already"):
        sign_in.create_first_admin(app, token, "Quản trị", PASSWORD)
    assert [user.name for user in users.list_users(app)] == ["an"]


def test_first_admin_with_a_bad_password_leaves_the_link_usable(app: App) -> None:
    """A refused password does not spend the link."""
    token = sign_in.first_admin_link(app)
    assert token is not None
    with pytest.raises(UserError, match="at least 12"):
        sign_in.create_first_admin(app, token, "Quản trị", "ngắn")
    assert sign_in.setup_link_valid(app, token)


def test_passwords_never_reach_the_logs(app: App) -> None:
    """Adding users, signing in, failing, being throttled and the first admin log their events
    with names and addresses, never a password, and never a typed name nobody has."""
    typed_password_as_name = "ToiQuenMatKhau2026!"
    with capture_logs() as logs:
        token = sign_in.first_admin_link(app)
        assert token is not None
        sign_in.create_first_admin(app, token, "Quản trị", PASSWORD)
        users.add_user(app, "an", Role.EDITOR, PASSWORD + "x", by="Quản trị")
        sign_in.authenticate(app, "an", PASSWORD + "x", "10.0.0.1")
        fail(app, times=5)
        fail(app, name=typed_password_as_name)
        with pytest.raises(LoginThrottled):
            sign_in.authenticate(app, "an", PASSWORD + "x", "10.0.0.1")
    text = repr(logs)
    assert PASSWORD not in text and "sai mật khẩu" not in text and token not in text
    assert typed_password_as_name not in text
    names = [entry["event"] for entry in logs]
    for event in ("user.added", "user.logged_in", "user.login_refused", "user.login_throttled"):
        assert event in names
    added = [entry for entry in logs if entry["event"] == "user.added"]
    assert [(entry["name"], entry["by"]) for entry in added] == [
        ("Quản trị", "setup link"),
        ("an", "Quản trị"),
    ]


ALLOWED = {
    Role.EDITOR: {Permission.VIEW, Permission.EDIT},
    Role.APPROVER: {Permission.VIEW, Permission.EDIT, Permission.APPROVE, Permission.REJECT},
    Role.ADMIN: set(Permission),
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Permission))
def test_permissions_of_every_role(role: Role, action: Permission) -> None:
    """Editors edit; approvers also approve and reject; admins also manage users and resume
    channels; everyone may look."""
    user = User(1, "an", role)
    assert users.can(user, action) is (action in ALLOWED[role])
    assert users.can(user, str(action)) is (action in ALLOWED[role])


def test_an_unknown_action_is_a_mistake() -> None:
    """A misspelt action raises instead of quietly refusing."""
    with pytest.raises(ValueError, match="aprove"):
        users.can(User(1, "an", Role.ADMIN), "aprove")


def test_set_role_changes_the_role_and_logs_who(app: App) -> None:
    users.add_user(app, "quan-tri", "admin", PASSWORD)
    users.add_user(app, "Nguyễn Thị An", "editor", PASSWORD)
    with capture_logs() as logs:
        changed = users.set_role(app, "nguyễn thị an", "approver", by="quan-tri")
    assert changed.role == Role.APPROVER and stored(app, "Nguyễn Thị An").role == "approver"
    (event,) = [line for line in logs if line["event"] == "user.role_changed"]
    assert (event["name"], event["before"], event["by"]) == ("Nguyễn Thị An", "editor", "quan-tri")
    with pytest.raises(UserError, match="Unknown role"):
        users.set_role(app, "Nguyễn Thị An", "owner", by="quan-tri")
    with pytest.raises(UserError, match="no user"):
        users.set_role(app, "ai-do", "editor", by="quan-tri")


def test_the_last_admin_keeps_the_role_and_stays_enabled(app: App) -> None:
    """With one enabled admin, neither a new role nor disabling is allowed; with two, one may
    go, and then the other is the last."""
    users.add_user(app, "quan-tri", "admin", PASSWORD)
    with pytest.raises(UserError, match="at least one administrator"):
        users.set_role(app, "quan-tri", "editor", by="quan-tri")
    with pytest.raises(UserError, match="at least one administrator"):
        users.disable_user(app, "quan-tri", by="quan-tri")
    users.add_user(app, "quan-tri-2", "admin", PASSWORD)
    assert users.set_role(app, "quan-tri", "approver", by="quan-tri-2").role == Role.APPROVER
    with pytest.raises(UserError, match="at least one administrator"):
        users.disable_user(app, "quan-tri-2", by="quan-tri-2")
    assert users.set_role(app, "quan-tri-2", "admin", by="quan-tri-2").role == Role.ADMIN


def test_a_disabled_admin_does_not_count(app: App) -> None:
    users.add_user(app, "quan-tri", "admin", PASSWORD)
    users.add_user(app, "quan-tri-cu", "admin", PASSWORD)
    users.disable_user(app, "quan-tri-cu", by="quan-tri")
    with pytest.raises(UserError, match="at least one administrator"):
        users.disable_user(app, "quan-tri", by="quan-tri")


def test_disable_ends_sign_in_and_keeps_the_user(app: App) -> None:
    """A disabled user is listed with the time, found by no session, refused at login; doing
    it again changes nothing."""
    users.add_user(app, "quan-tri", "admin", PASSWORD)
    editor = users.add_user(app, "bien-tap", "editor", PASSWORD)
    with capture_logs() as logs:
        disabled = users.disable_user(app, "bien-tap", by="quan-tri")
    assert disabled.disabled_at == clock_of(app).now() and users.get_user(app, editor.id) is None
    assert [line["by"] for line in logs if line["event"] == "user.disabled"] == ["quan-tri"]
    with pytest.raises(LoginRefused):
        sign_in.authenticate(app, "bien-tap", PASSWORD, "10.0.0.9")
    clock_of(app).advance(minutes=5)
    assert users.disable_user(app, "bien-tap", by="quan-tri").disabled_at == disabled.disabled_at
    assert [user.name for user in users.list_users(app)] == ["bien-tap", "quan-tri"]
