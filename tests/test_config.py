"""Settings: defaults, environment overrides, durations, validation messages, secrets."""

from __future__ import annotations

import os
from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path

import pytest

from syndicator.config import config_path, load_settings
from syndicator.durations import format_duration, parse_duration
from syndicator.errors import ConfigError
from syndicator.settings_models import (
    check_api_url,
    check_email,
    check_listen,
    check_network,
    check_slug,
)
from tests.helpers.paths import ROOT

ROOT = ROOT

FEED = """
[[feeds]]
id = "{id}"
name = "Sở Khoa học và Công nghệ"
url = "{url}"
channels = {channels}
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(body, encoding="utf-8")
    return path


def feed(
    id: str = "skhcn", url: str = "https://skhcn.example.gov.vn/rss", channels: str = "[]"
) -> str:
    return FEED.format(id=id, url=url, channels=channels)


def test_bundled_settings_load() -> None:
    """The settings.toml shipped in the repository is valid and uses the sandbox channel."""
    settings = load_settings(ROOT / "settings.toml")
    assert settings.feeds and all(f.channels == ["sandbox"] for f in settings.feeds)
    assert settings.channels["sandbox"].type == "sandbox"


def test_defaults_and_relative_database_path(tmp_path: Path) -> None:
    """An empty file gives the documented defaults; a relative SQLite path is under the file's folder."""
    settings = load_settings(write(tmp_path, ""))
    assert settings.polling.interval == timedelta(minutes=10)
    assert settings.polling.max_bytes == 15 * 1024 * 1024
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.database_url() == f"sqlite:///{tmp_path / 'var' / 'syndicator.db'}"


def test_environment_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SYNDICATOR_<SECTION>__<KEY> beats the file, and the rest of the section is kept."""
    monkeypatch.setenv("SYNDICATOR_POLLING__WORKERS", "3")
    settings = load_settings(write(tmp_path, '[polling]\nworkers = 8\ninterval = "5m"\n'))
    assert settings.polling.workers == 3
    assert settings.polling.interval == timedelta(minutes=5)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '[polling]\ninterval = "ten minutes"\n',
            "polling.interval: 'ten minutes' is not a duration",
        ),
        (
            feed(url="ftp://x.gov.vn/rss"),
            "feeds[0].url: 'ftp://x.gov.vn/rss' is not an http(s) URL",
        ),
        (feed() + feed(), "feeds[1].id: 'skhcn' is used twice"),
        (
            feed(channels='["facebook"]'),
            "feeds[0].channels: unknown channel 'facebook'; define [channels.facebook]",
        ),
        (feed(id="Sở KH"), "feeds[0].id: 'Sở KH' is not a slug"),
        ("[polling]\nworkerz = 3\n", "polling.workerz: unknown setting"),
        ('timezone = "Asia/Hanoi_City"\n', "timezone: 'Asia/Hanoi_City' is not a known timezone"),
        ("[polling\n", "not valid TOML"),
        ('[[feeds]]\nid = "a"\nurl = "https://a.vn/rss"\n', "feeds[0].name: required"),
    ],
)
def test_wrong_setting_is_one_clear_line(tmp_path: Path, body: str, expected: str) -> None:
    """Each wrong setting raises ConfigError with one line naming the key and the fix."""
    with pytest.raises(ConfigError) as error:
        load_settings(write(tmp_path, body))
    message = str(error.value)
    assert expected in message
    assert "\n" not in message


def test_missing_file_names_the_fix(tmp_path: Path) -> None:
    """A missing settings file says how to point at one."""
    with pytest.raises(ConfigError, match="--config PATH or set SYNDICATOR_CONFIG"):
        load_settings(tmp_path / "nope.toml")


def test_secret_in_file_is_refused(tmp_path: Path) -> None:
    """A token written in settings.toml stops start-up and names the environment variable to use."""
    body = '[channels.facebook]\npage_id = "1"\npage_token = "EAAB-secret-value"\n'
    with pytest.raises(ConfigError) as error:
        load_settings(write(tmp_path, body))
    assert "SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN" in str(error.value)
    assert "EAAB-secret-value" not in str(error.value)


def test_secret_from_environment_is_never_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token from the environment is kept as a SecretStr that repr and str hide."""
    monkeypatch.setenv("SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN", "EAAB-secret-value")
    settings = load_settings(write(tmp_path, '[channels.facebook]\npage_id = "1"\n'))
    token = settings.channels["facebook"].page_token
    assert token is not None and token.get_secret_value() == "EAAB-secret-value"
    assert "EAAB-secret-value" not in repr(settings) + str(settings)


def test_secret_file_must_be_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A *_FILE secret is read from a 0600 file and refused when others can read it."""
    secret = tmp_path / "token"
    secret.write_text("EAAB-from-file\n")
    secret.chmod(0o644)
    monkeypatch.setenv("SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN_FILE", str(secret))
    path = write(tmp_path, '[channels.facebook]\npage_id = "1"\n')
    with pytest.raises(ConfigError, match="chmod 600"):
        load_settings(path)
    secret.chmod(0o600)
    token = load_settings(path).channels["facebook"].page_token
    assert token is not None and token.get_secret_value() == "EAAB-from-file"
    assert "SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN" not in os.environ


@pytest.mark.parametrize(
    ("mode", "private"), [(0o600, True), (0o400, True), (0o640, False), (0o604, False)]
)
def test_secret_file_private_to_its_owner_at_the_edge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int, private: bool
) -> None:
    """0600 and the stricter 0400 are read; a group-readable 0640 (a file shared with an admin
    group) is refused like a world-readable one."""
    secret = tmp_path / "zalo-app-secret"
    secret.write_text("Zalo-app-secret-4f9c1b\n")
    secret.chmod(mode)
    monkeypatch.setenv("SYNDICATOR_CHANNELS__ZALO__APP_SECRET_FILE", str(secret))
    path = write(tmp_path, '[channels.zalo]\napp_id = "4242"\n')
    if not private:
        with pytest.raises(ConfigError, match=r"ZALO__APP_SECRET_FILE: .* is readable by others"):
            load_settings(path)
        return
    app_secret = load_settings(path).channels["zalo"].app_secret
    assert app_secret is not None and app_secret.get_secret_value() == "Zalo-app-secret-4f9c1b"


def test_channel_type_defaults_to_its_name(tmp_path: Path) -> None:
    """[channels.zalo] is a zalo channel; a named account says its type."""
    body = '[channels.zalo]\napp_id = "1"\n[channels.so-yte]\ntype = "facebook"\npage_id = "2"\n'
    settings = load_settings(write(tmp_path, body))
    assert settings.channels["zalo"].type == "zalo"
    assert settings.channels["so-yte"].type == "facebook"


def test_config_path_precedence() -> None:
    """--config wins over SYNDICATOR_CONFIG, which wins over ./settings.toml."""
    assert config_path("a.toml", {"SYNDICATOR_CONFIG": "b.toml"}) == Path("a.toml")
    assert config_path(None, {"SYNDICATOR_CONFIG": "b.toml"}) == Path("b.toml")
    assert config_path(None, {}) == Path("settings.toml")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("10m", 600), ("6h", 21600), ("2d", 172800), ("1.5h", 5400), (30, 30)],
)
def test_durations(text: str | int, seconds: int) -> None:
    """Durations are written the way operators write them."""
    assert parse_duration(text) == timedelta(seconds=seconds)


def test_duration_round_trip() -> None:
    """format_duration gives back a form parse_duration reads to the same value."""
    for value in ("90s", "10m", "6h", "2d", "1w"):
        assert format_duration(parse_duration(value)) == value
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("soon")


def test_a_timedelta_is_refused_just_past_the_longest_duration() -> None:
    """3650 days is allowed, a second more is not; the message quotes the value and says why."""
    assert parse_duration(timedelta(days=3650)) == timedelta(days=3650)
    with pytest.raises(ValueError, match="is longer than") as refused:
        parse_duration(timedelta(days=3651))
    assert str(refused.value) == (
        "datetime.timedelta(days=3651) is longer than 3650d (10 years); check the number"
    )


SANDBOX = '[channels.sandbox]\nfolder = "var/outbox"\n'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # issue #8: a string where a table or a list belongs is an error, not iterated
        ('channels = "x"\n', "settings.toml: channels: expected a table, not text"),
        (
            feed(channels='"x"') + SANDBOX,
            'feeds[0].channels: expected a list, e.g. ["a", "b"], not text',
        ),
        ('[polling]\nworkers = "8 luồng"\n', "polling.workers: expected a whole number, not text"),
        ("[polling]\nworkers = true\n", "polling.workers: expected a whole number"),
        ('[[feeds]]\nid = "a"\nname = ""\nurl = "https://a.vn/rss"\n', "feeds[0].name: must not"),
        ('[render]\ntemplates = "  "\n', "render.templates: must not be empty"),
        # durations: overflow, zero where zero breaks the job, negative, not finite
        (
            '[polling]\ninterval = "99999999999d"\n',
            "polling.interval: '99999999999d' is longer than 3650d (10 years)",
        ),
        ('[polling]\ninterval = "0s"\n', 'polling.interval: must be at least "1m"'),
        ('[polling]\ninterval = "59s"\n', 'polling.interval: must be at least "1m"'),
        (
            feed().replace("channels", 'interval = "0s"\nchannels'),
            'feeds[0].interval: must be at least "1m"',
        ),
        ('[polling]\ntimeout = "0s"\n', 'polling.timeout: must be at least "1s"'),
        ('[polling]\nconnect_timeout = "0.5s"\n', "polling.connect_timeout: must be at least"),
        ('[alerts]\ntimeout = "0s"\n', 'alerts.timeout: must be at least "1s"'),
        ('[daemon]\ntick = "0.5s"\n', 'daemon.tick: must be at least "1s"'),
        ("[polling]\nmax_backoff = -5\n", "polling.max_backoff: -5 is negative"),
        ("[polling]\nmax_backoff = inf\n", "polling.max_backoff: inf is longer than 3650d"),
        ("[polling]\nmax_backoff = nan\n", "polling.max_backoff: nan is not a duration"),
        ("[daemon]\nshutdown_grace = 1e300\n", "daemon.shutdown_grace: 1e+300 is longer than"),
        ("[daemon]\nshutdown_grace = 99999999999999999999\n", "that number is longer than"),
        ('[polling]\ninterval = "٣m"\n', "polling.interval: '٣m' is not a duration"),
        # whole numbers beyond what their use can hold
        ("[review]\nmax_age_days = 999999999999\n", "review.max_age_days: Input should be less"),
        ("[alerts]\ntoken_days = 366\n", "alerts.token_days: Input should be less than or"),
        ("[polling]\nparse_memory_mb = 1099511627776\n", "polling.parse_memory_mb: Input"),
        (feed().replace("channels", "priority = 1001\nchannels"), "feeds[0].priority: Input"),
        ("[pacing.sandbox]\nmax_per_hour = 3601\n" + SANDBOX, "pacing.sandbox.max_per_hour:"),
        ("[pacing.sandbox]\nmax_per_day = 86401\n" + SANDBOX, "pacing.sandbox.max_per_day:"),
        # text that must have a shape
        ('[web]\nlisten = "8080"\n', "web.listen: '8080' is not host:port"),
        ('[web]\nlisten = "127.0.0.1:65536"\n', "web.listen: '127.0.0.1:65536' is not host:port"),
        ('[web]\nlisten = "127.0.0.1:²"\n', "web.listen: '127.0.0.1:²' is not host:port"),
        ('[web]\nrequest_timeout = "0s"\n', 'web.request_timeout: must be at least "1s"'),
        ("[web]\nmax_connections = 1025\n", "web.max_connections: Input should be less than"),
        (
            '[database]\nurl = "mysql://root:mk-Bi3t@db.so.gov.vn/syndicator"\n',
            "mysql+mysqldb is not",
        ),
        ('[database]\nurl = "not a url"\n', "database.url: not a database URL; write sqlite:///"),
        ('[database]\nurl = "postgresql+asyncpg://u@h/db"\n', "postgresql+asyncpg is not supp"),
        ('timezone = "Asia/' + "Ho_Chi_Minh" * 30 + '"\n', "timezone: 'Asia/Ho_Chi_MinhHo"),
        ('[channels.facebook]\npage_id = "123/feed?x="\n', "channels.facebook.page_id: '123/feed"),
        ('[channels.facebook]\napi_version = "25"\n', "channels.facebook.api_version: '25' is not"),
        ('[channels.facebook]\ngraph_url = "graph.facebook.com"\n', "graph_url: 'graph.facebook"),
        ('[channels.zalo]\napi_url = "https://openapi.zalo.me:99999"\n', "channels.zalo.api_url:"),
        (feed(url="https://a b.gov.vn/rss"), "feeds[0].url: 'https://a b.gov.vn/rss' is not an"),
        (
            feed(channels='["sandbox", "sandbox"]') + SANDBOX,
            "feeds[0].channels: sandbox listed twice",
        ),
        ('[review]\nwatch_words = ["mật", ""]\n', "review.watch_words: holds an empty string"),
        (
            '[alerts]\nsmtp_host = "smtp.so.gov.vn"\nsmtp_from = "it@so.gov.vn"\n'
            'email_to = ["phong CNTT"]\n',
            "alerts.email_to[0]: 'phong CNTT' is not an e-mail address",
        ),
        ("[polling]\nbackfill = " + "9" * 5000 + "\n", "settings.toml: not valid TOML"),
    ],
)
def test_every_key_is_checked_at_start(tmp_path: Path, body: str, expected: str) -> None:
    """Issue #8: a value of the wrong type or out of range stops start-up with one line."""
    with pytest.raises(ConfigError) as error:
        load_settings(write(tmp_path, body))
    message = str(error.value)
    assert expected in message
    assert "\n" not in message


def test_values_at_the_edge_are_accepted(tmp_path: Path) -> None:
    """The smallest and largest accepted values load (each refusal above is one step past)."""
    body = (
        '[polling]\ninterval = "1m"\ntimeout = "1s"\nmax_backoff = "3650d"\n'
        'parse_memory_mb = 1048576\n[daemon]\ntick = "1s"\nshutdown_grace = "0s"\n'
        '[web]\nlisten = "[::1]:65535"\n[alerts]\ntoken_days = 365\n'
        "[channels.facebook]\npage_id = 1234567890\n"
        "[pacing.facebook]\nmax_per_hour = 3600\nmax_per_day = 86400\n"
    ) + feed(channels='["facebook"]').replace("channels", "priority = -1000\nchannels")
    settings = load_settings(write(tmp_path, body))
    assert settings.polling.interval == timedelta(minutes=1)
    assert settings.polling.max_backoff == timedelta(days=3650)
    assert settings.daemon.tick == timedelta(seconds=1)
    assert settings.channels["facebook"].page_id == "1234567890"  # a TOML number is its digits
    assert settings.feeds[0].priority == -1000


def test_database_url_error_hides_the_password(tmp_path: Path) -> None:
    """An unsupported database URL is named with its password masked."""
    body = '[database]\nurl = "mysql://root:mk-Bi3t@db.so.gov.vn/syndicator"\n'
    with pytest.raises(ConfigError) as error:
        load_settings(write(tmp_path, body))
    assert "mysql://root:***@db.so.gov.vn/syndicator" in str(error.value)
    assert "mk-Bi3t" not in str(error.value)


def test_postgresql_without_driver_is_psycopg(tmp_path: Path) -> None:
    """postgresql:// means the installed psycopg driver, so it is accepted as written."""
    body = '[database]\nurl = "postgresql://syndicator@127.0.0.1/syndicator"\n'
    assert load_settings(write(tmp_path, body)).database.url.startswith("postgresql://")


def test_settings_file_not_utf8_names_line_and_byte(tmp_path: Path) -> None:
    """A file saved by Notepad in Windows-1252 is refused with where and the fix."""
    path = tmp_path / "settings.toml"
    # typed in UTF-8 up to "Sở KH&CN ", the rest saved by Notepad as Windows-1252
    path.write_bytes(
        '[polling]\ncontact = "Sở KH&CN '.encode() + '– Phòng CNTT"\n'.encode("cp1252")
    )
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    message = str(error.value)
    # the column counts characters ("ở" is three bytes but one column)
    assert message.endswith(": not UTF-8 (line 2, column 21, byte 32: 0x96); save it as UTF-8")
    assert "\n" not in message


def test_settings_file_with_byte_order_mark_loads(tmp_path: Path) -> None:
    """Notepad's "UTF-8 with BOM" is still UTF-8."""
    path = tmp_path / "settings.toml"
    path.write_bytes(b"\xef\xbb\xbf" + b'timezone = "Asia/Bangkok"\n')
    assert load_settings(path).timezone == "Asia/Bangkok"


def test_settings_path_that_is_a_folder_or_unreadable(tmp_path: Path) -> None:
    """--config naming a folder, or a path through a file, is one line, not a traceback."""
    with pytest.raises(ConfigError, match="is a folder; pass the settings file itself"):
        load_settings(tmp_path)
    (tmp_path / "settings.toml").write_text("")
    with pytest.raises(ConfigError, match=r"cannot read it \(Not a directory\)"):
        load_settings(tmp_path / "settings.toml" / "settings.toml")


def test_environment_value_names_its_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong value from the environment names the variable; a table that is not JSON too."""
    monkeypatch.setenv("SYNDICATOR_POLLING__WORKERS", "²")
    with pytest.raises(ConfigError) as error:
        load_settings(write(tmp_path, ""))
    assert "polling.workers (from SYNDICATOR_POLLING__WORKERS): expected a whole number" in str(
        error.value
    )
    monkeypatch.delenv("SYNDICATOR_POLLING__WORKERS")
    monkeypatch.setenv("SYNDICATOR_FEEDS", "soyte")
    with pytest.raises(ConfigError, match="SYNDICATOR_FEEDS: not valid JSON"):
        load_settings(write(tmp_path, ""))


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://openapi.zalo.me", True),
        ("http://127.0.0.1:8080", True),
        ("http://127.200.0.9", True),
        ("http://localhost:9000", True),
        ("http://[::1]:9000", True),
        ("http://openapi.zalo.me", False),
        ("http://10.20.1.5", False),
        ("http://localhost.example.vn", False),
        ("ftp://127.0.0.1", True),  # the URL type refuses other schemes before this check
    ],
)
def test_an_api_url_is_https_or_plain_http_to_a_loopback_host(url: str, allowed: bool) -> None:
    """Tokens and secrets travel in every request: plain http only to 127.0.0.0/8, ::1, localhost."""
    if allowed:
        assert check_api_url(url) == url
    else:
        with pytest.raises(ValueError, match="must be an https URL") as refused:
            check_api_url(url)
        assert str(refused.value) == (
            f"{url!r} must be an https URL (tokens and secrets travel in every request); "
            "plain http is allowed only to a loopback host (127.0.0.0/8, ::1, localhost)"
        )


@pytest.mark.parametrize(
    ("written", "network"),
    [
        ("10.20.0.0/16", ip_network("10.20.0.0/16")),
        (" 10.20.1.5 ", ip_network("10.20.1.5/32")),
        ("fd00::/8", ip_network("fd00::/8")),
        (ip_network("127.0.0.0/8"), ip_network("127.0.0.0/8")),
    ],
)
def test_an_allowed_network_is_a_range_or_one_address(written: object, network: object) -> None:
    """CIDR or one address (a /32 or /128), spaces around it ignored."""
    assert check_network(written) == network


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("10.20.1.5/16", "'10.20.1.5/16' has bits set past the prefix; write \"10.20.0.0/16\""),
        ("so-khcn.gov.vn", "'so-khcn.gov.vn' is not an address range; write CIDR like"),
        (42, "42 is not an address range"),
    ],
)
def test_a_wrong_network_says_what_to_write(written: object, message: str) -> None:
    """An address with host bits past its prefix names the range meant; anything else, the forms."""
    with pytest.raises(ValueError, match=r"address range|past the prefix") as refused:
        check_network(written)
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        (10**18, "that number is longer than 3650d"),
        (-(10**18), "that number is negative"),
        (10**18 - 1, "999999999999999999 is longer than 3650d"),
        ("x" * 38, "'" + "x" * 38 + "' is not a duration"),  # a repr of 40 characters: whole
        ("x" * 39, "'" + "x" * 38 + "… is not a duration"),  # 41: cut to 39 and an ellipsis
    ],
)
def test_a_refused_duration_is_quoted_short(written: object, shown: str) -> None:
    """The message quotes the value on one short line: huge numbers by name, long text cut."""
    with pytest.raises(ValueError, match=r"duration|negative|longer") as refused:
        parse_duration(written)
    assert str(refused.value).startswith(shown)


@pytest.mark.parametrize(
    ("written", "allowed"),
    [
        ("it@so.gov.vn", True),
        ("  van.thu@skhcn.example.gov.vn ", True),
        ("it@localhost", False),
        ("@so.gov.vn", False),
        ("it so.gov.vn", False),
        ("phong it@so.gov.vn", False),
        ("it@so.gov.vn@localhost", False),  # the domain is after the last @
    ],
)
def test_an_email_address_has_a_name_an_at_and_a_dotted_domain_without_spaces(
    written: str, allowed: bool
) -> None:
    if allowed:
        assert check_email(written) == written.strip()
    else:
        with pytest.raises(ValueError, match="is not an e-mail address"):
            check_email(written)


def test_an_id_is_digits_or_left_empty(tmp_path: Path) -> None:
    """An unset page id is empty (the channel is not configured yet); a set one is digits."""
    settings = load_settings(write(tmp_path, '[channels.facebook]\ntype = "facebook"\n'))
    assert settings.channels["facebook"].page_id == ""
    with pytest.raises(ConfigError, match="is not an id"):
        load_settings(write(tmp_path, '[channels.facebook]\ntype = "facebook"\npage_id = "12a"\n'))
    written_empty = '[channels.facebook]\ntype = "facebook"\npage_id = ""\n'
    assert load_settings(write(tmp_path, written_empty)).channels["facebook"].page_id == ""


@pytest.mark.parametrize(
    ("written", "allowed"),
    [
        ("127.0.0.1:08080", True),  # five digits: the longest port allowed
        ("127.0.0.1:008080", False),  # six digits, though the number is small
        ("[::1]:8080", True),
        ("[]:8080", False),  # brackets around nothing: no host
    ],
)
def test_listen_port_length_and_bracketed_host_edges(written: str, allowed: bool) -> None:
    """At most five port digits; a bracketed IPv6 host must hold an address."""
    if allowed:
        assert check_listen(written) == written
    else:
        with pytest.raises(ValueError, match="is not host:port"):
            check_listen(written)


def test_a_slug_is_at_most_64_characters_and_the_message_says_so() -> None:
    """64 characters key a database row; the 65th is refused with the rule in the message."""
    assert check_slug("so-" + "x" * 61) == "so-" + "x" * 61
    with pytest.raises(ValueError, match="is not a slug") as refused:
        check_slug("so-" + "x" * 62)
    assert str(refused.value).endswith(
        "is not a slug; use lowercase letters, digits, '-' or '_' (at most 64 characters)"
    )


def test_an_unknown_channel_type_is_named_with_the_known_ones(tmp_path: Path) -> None:
    """A channel whose `type` no kind has is refused with the types that exist."""
    body = '[channels.so-yte]\ntype = "telegram"\n'
    with pytest.raises(ConfigError) as error:
        load_settings(write(tmp_path, body))
    expected = "channels.so-yte.type: Input should be 'facebook', 'zalo' or 'sandbox'"
    assert str(error.value).endswith(expected)
