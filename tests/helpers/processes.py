"""Which processes a process started, and waiting for processes to end without sleeping (Linux)."""

from __future__ import annotations

import os
import select
import time
from pathlib import Path


def children_of(parent: int) -> list[int]:
    """The live processes whose parent is `parent`, from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # it ended while we looked
        if int(fields[1]) == parent:
            children.append(int(stat.parent.name))
    return children


def watch(pids: list[int]) -> dict[int, int]:
    """A pidfd per process still there: it becomes readable when the process ends."""
    handles = {}
    for pid in pids:
        try:
            handles[pid] = os.pidfd_open(pid)
        except ProcessLookupError:
            continue  # already gone
    return handles


def still_running(handles: dict[int, int], timeout: float) -> list[int]:
    """Wait up to `timeout` seconds for the watched processes to end; those that did not."""
    deadline, waiting = time.monotonic() + timeout, dict(handles)
    try:
        while waiting and (remaining := deadline - time.monotonic()) > 0:
            ended, _, _ = select.select(list(waiting.values()), [], [], remaining)
            waiting = {pid: fd for pid, fd in waiting.items() if fd not in ended}
        return sorted(waiting)
    finally:
        for fd in handles.values():
            os.close(fd)


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "(gone)"
