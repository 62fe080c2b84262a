"""Memory and CPU of this process and every process it started (a poller may spawn parsers).

    with ProcessTree() as tree:
        poll_everything()
    tree.peak_rss_mb, tree.peak_pss_mb, tree.children_cpu

A thread samples every `interval` seconds: the sum of VmRSS over the tree (pages shared between
processes counted in each), the sum of Pss (shared pages split between their users: the fairer
total), and each child's CPU ticks. A short spike between two samples can be missed; this
process's own peak is exact in VmHWM.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType

TICK = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except OSError:
            continue
    return found


def descendants(pid: int) -> list[int]:
    pending, found = children(pid), []
    while pending:
        child = pending.pop()
        found.append(child)
        pending += children(child)
    return found


def memory_kb(pid: int) -> tuple[int, int]:
    """(Rss, Pss) in kB, or zeros when the process is gone."""
    values = {"Rss:": 0, "Pss:": 0}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(" ")
            if name in values:
                values[name] = int(rest.split()[0])
    except (OSError, ValueError):
        pass
    return values["Rss:"], values["Pss:"]


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


class ProcessTree:
    """Samples the tree rooted at this process while the `with` block runs."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak_rss_mb = self.peak_pss_mb = 0.0
        self._start: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ProcessTree:
        for pid in descendants(os.getpid()):
            self._start[pid] = cpu_seconds(pid) or 0.0
        self._sample()
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def children_cpu(self) -> float:
        """CPU seconds the children used during the block (those alive at a sample)."""
        return sum(ticks - self._start.get(pid, 0.0) for pid, ticks in self._last.items())

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        rss = pss = 0
        for pid in [os.getpid(), *descendants(os.getpid())]:
            pid_rss, pid_pss = memory_kb(pid)
            rss, pss = rss + pid_rss, pss + pid_pss
            ticks = cpu_seconds(pid) if pid != os.getpid() else None
            if ticks is not None:
                self._last[pid] = ticks
        self.peak_rss_mb = max(self.peak_rss_mb, rss / 1024)
        self.peak_pss_mb = max(self.peak_pss_mb, pss / 1024)
