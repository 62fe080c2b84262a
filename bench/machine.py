"""Facts recorded beside every result: the machine, the date, and which product code ran."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("syndicator", "storage")


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def source_digest() -> str:
    """A digest of the product's .py files as they are on disk (commits and uncommitted edits)."""
    digest = hashlib.sha256()
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def machine() -> dict[str, Any]:
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    git = ["git", "-C", str(ROOT), "describe", "--always", "--dirty"]
    commit = subprocess.run(git, capture_output=True, text=True, check=False).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "model": cpu_model(),
        "ram_gib": round(ram, 1),
        "python": platform.python_version(),
        "commit": commit,
        "source_digest": source_digest(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
