"""What README.md says and what the sources can raise."""

from __future__ import annotations

import re
from pathlib import Path

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def error_reasons() -> set[str]:
    """Every reason code written in the fetcher, parser and poller sources."""
    root = Path(__file__).resolve().parents[2] / "syndicator"
    source = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py"))
    raised = re.findall(r'(?:FeedError|NotAFeed|HostileFeed|_Stop)\(\s*"([a-z_]+)"', source)
    classified = re.findall(r'return "([a-z_]+)", f?"', source)
    failed = re.findall(r'_failed\([^()]*?"([a-z_]+)"', source)
    assigned = re.findall(r'reason = "([a-z_]+)"', source)
    return {*raised, *classified, *failed, *assigned, "http_404", "internal_error"}
