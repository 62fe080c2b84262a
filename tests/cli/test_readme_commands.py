"""README's commands work as written: the console script from the virtual environment, the
service's settings file set before it is enabled, and local settings ignored by git."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.helpers.docs import README

ROOT = Path(__file__).resolve().parents[2]


def section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def shell_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def test_no_bare_console_script_in_set_up_sections() -> None:
    """After `python3 -m venv .venv` nothing puts `syndicator` on the PATH: the set-up sections
    call `.venv/bin/syndicator` (or `python main.py`), never a bare `syndicator`."""
    for title in ("Quick start", "Install on a server"):
        text = section(title)
        commands = [part.strip() for block in shell_blocks(text) for part in block.split("&&")]
        commands += re.findall(r"`([^`]+)`", text)
        bare = [c for c in commands if re.match(r"(sudo( -u \S+)? )?syndicator ", c)]
        assert bare == [], title


def test_the_unit_reads_the_settings_file_the_install_creates() -> None:
    """The install block sets the unit's SYNDICATOR_CONFIG to the file it tells operators to
    create, before enabling the unit; the shipped unit names the same file."""
    (block,) = shell_blocks(section("Install on a server"))
    created = re.search(r"cp settings\.toml (\S+)", block)
    assert created is not None
    path = f"/opt/syndicator/{created.group(1)}"
    assert block.index(f"SYNDICATOR_CONFIG={path}") < block.index("systemctl enable")
    unit = (ROOT / "deploy" / "syndicator.service").read_text(encoding="utf-8")
    assert f"Environment=SYNDICATOR_CONFIG={path}\n" in unit


def test_local_settings_files_are_ignored_by_git() -> None:
    """The settings copy README suggests never shows up as a change to commit."""
    (block,) = shell_blocks(section("Install on a server"))
    created = re.search(r"cp settings\.toml (\S+)", block)
    assert created is not None
    for name in (created.group(1), "settings.local.toml", "ubnd.local.toml"):
        done = subprocess.run(
            ["git", "check-ignore", "-q", "--no-index", name], cwd=ROOT, check=False
        )
        assert done.returncode == 0, name
