"""`publish`, `repost` and `tokens status` from the command line, on the sandbox channel and the
fake Graph API: what an operator sees, and the exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from syndicator.cli.commands import cli
from tests.helpers.fake_graph import FakeGraph
from tests.helpers.httpserver import LocalServer
from tests.helpers.portal import portal_serving


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[tuple[Path, LocalServer]]:
    """A trusted portal whose second poll brings one new article for the sandbox channel."""
    with portal_serving(tmp_path, review="auto", spacing="0s") as running:
        yield running


def run(config: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env=env).invoke(cli, ["--config", str(config), *args])


def queue(config: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in run(config, "queue", "list", "--json").stdout.splitlines()]


def test_publish_to_the_sandbox_then_repost(portal: tuple[Path, LocalServer]) -> None:
    """An approved post lands in the outbox once; a repost is a new post that waits for review."""
    config, _ = portal
    (post,) = queue(config)
    assert post["status"] == "approved"
    assert f"would publish post {post['id']}" in run(config, "publish", "--dry-run").stdout
    assert run(config, "publish").exit_code == 0
    outbox = config.parent / "var" / "outbox"
    assert (outbox / f"post-{post['id']}.json").exists()
    assert "0 posts handled" in run(config, "publish").stdout
    again = run(config, "repost", "https://SKHCN.gov.vn/tin/1.html?utm_source=zalo")
    assert again.exit_code == 0 and "waiting for review" in again.stdout
    newest = queue(config)[0]
    assert newest["status"] == "pending_review" and newest["flags"] == ["repost"]
    shown = run(config, "queue", "show", str(newest["id"])).stdout
    assert f"repost of post {post['id']}" in shown
    assert run(config, "repost", "424242").exit_code == 1


def test_tokens_status_names_the_fix(portal: tuple[Path, LocalServer], tmp_path: Path) -> None:
    """A Facebook channel without a token is a PROBLEM naming the variable; exit code 1."""
    config, _ = portal
    assert run(config, "tokens", "status").exit_code == 0
    with FakeGraph() as graph:
        text = config.read_text(encoding="utf-8") + (
            f'[channels.facebook]\npage_id = "{graph.page_id}"\ngraph_url = "{graph.url}"\n'
            f'api_version = "{graph.version}"\n'
        )
        config.write_text(text, encoding="utf-8")
        missing = run(config, "tokens", "status")
        assert missing.exit_code == 1
        assert "SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN" in missing.stdout
        env = {"SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN": graph.token}
        fine = run(config, "tokens", "status", "--json", env=env)
        rows = {row["channel"]: row for row in map(json.loads, fine.stdout.splitlines())}
        assert fine.exit_code == 0 and rows["facebook"]["ok"] is True
        assert graph.token not in fine.stdout + fine.stderr
