"""Robustness over feedparser's own test corpus, served over local HTTP and polled as feeds.

About 2,100 feeds no one here wrote: every one must end with a clear status and no traceback,
and every well-formed one that holds entries must have them stored.
"""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
from sqlalchemy import Engine

from syndicator.ingest.harvest import PollOutcome
from syndicator.ingest.parsepool import ParsePool
from syndicator.settings_models import FeedSettings
from tests.helpers.httpserver import LocalServer, Reply
from tests.helpers.paths import CORPUS
from tests.helpers.polling import make_poller

CORPUS = CORPUS
HEADER = re.compile(rb"^Header:\s*([\w-]+):\s*(.+?)\s*$", re.MULTILINE)
CLEAR_REASONS = {
    "html_page",
    "js_challenge",
    "empty_body",
    "not_a_feed",
    "empty",
    "hostile_xml",
    "parse_failed",
    "parse_crashed",
}

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.slow,  # the whole corpus through the poller, on both databases
    pytest.mark.skipif(
        not CORPUS.is_dir(),
        reason=f"feedparser corpus not found at {CORPUS} (it lives in ../shared)",
    ),
]


def corpus_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.xml"))


def served_headers(body: bytes) -> dict[str, str]:
    """The HTTP headers a corpus file asks to be served with (its `Header:` comment lines)."""
    headers = {"Content-Type": "application/xml"}
    for name, value in HEADER.findall(body[:2000]):
        headers[name.decode().title()] = value.decode("latin-1")
    return headers


def expected_entries(body: bytes) -> int:
    return len(feedparser.parse(body).entries)


def test_every_corpus_feed_gets_a_clear_status(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    """Polling the whole corpus crashes nothing, prints no traceback, and stores the well-formed
    entries, on both databases (PostgreSQL enforces column lengths; SQLite does not)."""
    files = corpus_files()
    assert len(files) > 2000
    parse = ParsePool(2, 1024)  # the production path: every result crosses a process boundary
    with LocalServer() as server:
        feeds = []
        for number, path in enumerate(files):
            body = path.read_bytes()
            server.route(f"/{number}.xml", Reply(body, headers=served_headers(body)))
            feeds.append(
                FeedSettings(id=f"f{number}", name=path.name, url=server.url(f"/{number}.xml"))
            )
        poller = make_poller(engine, workers=8, per_host=8, parse=parse)
        try:
            outcomes = {o.feed: o for o in poller.poll(feeds)}
        finally:
            parse.close()

    assert len(outcomes) == len(files)
    unclear = [
        o for o in outcomes.values() if o.status == "error" and o.reason not in CLEAR_REASONS
    ]
    assert unclear == []
    missing = _well_formed_not_stored(files, outcomes)
    assert missing == []
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err


def _well_formed_not_stored(files: list[Path], outcomes: dict[str, PollOutcome]) -> list[str]:
    missing = []
    for number, path in enumerate(files):
        if "wellformed" not in path.parts:
            continue
        body = path.read_bytes()
        entries = expected_entries(body)
        outcome = outcomes[f"f{number}"]
        if entries and (outcome.status != "ok" or outcome.new + outcome.duplicates != entries):
            missing.append(f"{path.relative_to(CORPUS)}: {entries} entries, got {outcome}")
    return missing
