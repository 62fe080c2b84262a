"""What an editor reads at the terminal: local times, reasons that still hold, empty answers
said out loud, first polls explained, unknown filters refused, titles cut between words,
plurals right."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result

from tests.helpers.httpserver import LocalServer, Reply
from tests.helpers.portal import portal_serving, rss, run


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[tuple[Path, LocalServer]]:
    """A portal whose first poll is history and whose second poll brings one new article."""
    with portal_serving(tmp_path, review="required", spacing="15m") as running:
        yield running


def only_post(config: Path) -> str:
    (line,) = run(config, "queue", "list", "--json").stdout.splitlines()
    return str(json.loads(line)["id"])


def one_line_usage_error(result: Result) -> str:
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    return result.stderr


def test_times_are_in_the_configured_timezone(portal: tuple[Path, LocalServer]) -> None:
    """History and next slot show Vietnamese local time (+07), not UTC; JSON keeps an offset."""
    config, _ = portal
    post_id = only_post(config)
    assert run(config, "queue", "approve", post_id, "--by", "an").exit_code == 0
    shown = run(config, "queue", "show", post_id).stdout
    history = shown.split("History:")[1]
    assert "+07  an" in history and "UTC" not in shown
    assert "Next slot: " in shown and "+07" in shown.split("Next slot: ")[1].splitlines()[0]
    listed = run(config, "queue", "list").stdout
    assert "next slot " in listed and listed.rstrip().endswith("+07")
    (record,) = map(json.loads, run(config, "queue", "list", "--json").stdout.splitlines())
    assert str(record["next_slot"]).endswith("+00:00")


def test_reasons_that_no_longer_hold_are_dropped(portal: tuple[Path, LocalServer]) -> None:
    """A waiting post says why it waits; once approved it shows no reason (JSON keeps flags)."""
    config, _ = portal
    post_id = only_post(config)
    assert "[review_required]" in run(config, "queue", "list").stdout
    assert "why it waits" in run(config, "queue", "show", post_id).stdout
    assert run(config, "queue", "approve", post_id, "--by", "an").exit_code == 0
    assert "review_required" not in run(config, "queue", "list").stdout
    assert "why it waits" not in run(config, "queue", "show", post_id).stdout
    (record,) = map(json.loads, run(config, "queue", "list", "--json").stdout.splitlines())
    assert record["flags"] == ["review_required"]


def test_empty_answers_say_so(tmp_path: Path) -> None:
    """An empty queue prints "no posts" and no alerts "no alerts"; JSON prints nothing."""
    config = tmp_path / "settings.toml"
    config.write_text('[channels.sandbox]\nfolder = "var/outbox"\n', encoding="utf-8")
    assert run(config, "queue", "list").stdout == "no posts\n"
    assert run(config, "queue", "list", "--status", "approved").stdout == "no posts\n"
    assert run(config, "alerts").stdout == "no alerts\n"
    assert run(config, "alerts", "--open").stdout == "no open alerts\n"
    assert run(config, "queue", "list", "--json").stdout == ""
    assert run(config, "alerts", "--json").stdout == ""


def portal_config(tmp_path: Path, server: LocalServer, extra: str = "") -> Path:
    config = tmp_path / "settings.toml"
    config.write_text(
        f'[polling]\nparse_processes = 0\nallow_networks = ["127.0.0.0/8"]\n{extra}'
        '[channels.sandbox]\nfolder = "var/outbox"\n'
        f'[[feeds]]\nid = "skhcn"\nname = "Sở KH&CN"\nurl = "{server.url("/rss")}"\n'
        'channels = ["sandbox"]\n',
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize(
    ("backfill", "said"),
    [
        ("", "(first poll: 3 items recorded as history, 0 queued)"),
        ("backfill = 1\n", "(first poll: 2 items recorded as history, 1 queued)"),
    ],
)
def test_first_poll_says_what_became_history(tmp_path: Path, backfill: str, said: str) -> None:
    """The first poll of a feed says how many items were kept as history and how many queued;
    the next poll does not."""
    titles = ("Tin một", "Tin hai", "Tin ba")
    with LocalServer() as server:
        server.route("/rss", Reply(rss(*titles), headers={"Content-Type": "application/rss+xml"}))
        config = portal_config(tmp_path, server, backfill)
        first = run(config, "poll").stdout
        assert f"skhcn: ok new=3 duplicates=0 {said}" in first
        assert "polled 1 feed: 3 new items, 0 errors" in first
        assert "first poll of 1 feed: " in first
        again = run(config, "poll").stdout
        assert "first poll" not in again and "polled 1 feed: 0 new items" in again
        (outcome,) = map(json.loads, run(config, "poll", "--json").stdout.splitlines())
        assert outcome["first_poll"] is False and outcome["history"] == 0


def test_unknown_filters_are_usage_errors(portal: tuple[Path, LocalServer]) -> None:
    """A --channel or --feed the settings lack exits 2 with one line naming the known ones."""
    config, _ = portal
    wrong_channel = run(config, "queue", "list", "--channel", "facebok")
    assert "unknown channel 'facebok'; known channels: sandbox" in one_line_usage_error(
        wrong_channel
    )
    wrong_feed = run(config, "queue", "list", "--feed", "so-khcn")
    assert "unknown feed 'so-khcn'; known feeds: skhcn" in one_line_usage_error(wrong_feed)
    poll = run(config, "poll", "--feed", "so-khcn")
    assert "known feeds: skhcn" in one_line_usage_error(poll)
    publish = run(config, "publish", "--channel", "fanpage")
    assert "known channels: sandbox" in one_line_usage_error(publish)
    repost = run(config, "repost", "1", "--channel", "fanpage")
    assert "known channels: sandbox" in one_line_usage_error(repost)
    assert run(config, "queue", "list", "--feed", "skhcn").stdout.strip() != ""


SECOND = "Hội nghị triển khai nhiệm vụ khoa học năm 2027"  # what the portal brought
LONG = (
    "Ủy ban nhân dân tỉnh tổ chức hội nghị tổng kết công tác chuyển đổi số và triển khai "
    "nhiệm vụ trọng tâm năm 2027"
)


def test_long_titles_are_cut_between_words(tmp_path: Path) -> None:
    """A long Vietnamese title is cut after a whole word and marked with an ellipsis."""
    with portal_serving(tmp_path, "required", "15m") as (config, server):
        server.route(
            "/rss", Reply(rss("Tin cũ", SECOND, LONG), headers={"Content-Type": "text/xml"})
        )
        run(config, "poll")
        (line,) = [row for row in run(config, "queue", "list").stdout.splitlines() if "Ủy" in row]
        shown = line[line.index("Ủy") :].split("  [")[0]
        assert shown.endswith("…") and LONG.startswith(shown[:-1])
        assert LONG[len(shown) - 1] == " "  # the cut falls between two words


def test_plurals(portal: tuple[Path, LocalServer]) -> None:
    """One of a thing is singular, anything else plural."""
    config, _ = portal
    post_id = only_post(config)
    run(config, "queue", "approve", post_id, "--by", "an")
    assert "1 post handled" in run(config, "publish").stdout
    assert "0 posts handled" in run(config, "publish").stdout
