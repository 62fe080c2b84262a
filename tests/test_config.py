"""Settings: defaults, environment overrides, durations, validation messages, secrets."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from syndicator.config import config_path, load_settings
from syndicator.durations import format_duration, parse_duration
from syndicator.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent

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
        (feed(url="ftp://x.gov.vn/rss"), "feeds.0.url: 'ftp://x.gov.vn/rss' is not an http(s) URL"),
        (feed() + feed(), "feeds[1].id: 'skhcn' is used twice"),
        (
            feed(channels='["facebook"]'),
            "feeds[0].channels: unknown channel 'facebook'; define [channels.facebook]",
        ),
        (feed(id="Sở KH"), "feeds.0.id: 'Sở KH' is not a slug"),
        ("[polling]\nworkerz = 3\n", "polling.workerz: unknown setting"),
        ('timezone = "Asia/Hanoi_City"\n', "timezone: 'Asia/Hanoi_City' is not a known timezone"),
        ("[polling\n", "not valid TOML"),
        ('[[feeds]]\nid = "a"\nurl = "https://a.vn/rss"\n', "feeds.0.name: required"),
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
