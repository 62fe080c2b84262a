"""Profile one stretch of this process with py-spy attached to it (not the set-up before it).

    with sampled(Path("prof.txt")):
        poll_everything()

Writes py-spy's raw collapsed stacks, GIL-holding samples only (in a GIL-bound process that is
where the CPU goes), one line per thread and stack; bench/flame.py summarises them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ATTACH_SECONDS = 1.0
RATE = 200


@contextmanager
def sampled(output: Path | None) -> Iterator[None]:
    """Sample the block with py-spy when `output` is given; plain otherwise."""
    if output is None:
        yield
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    spy = str(Path(sys.executable).with_name("py-spy"))
    command = [
        spy,
        "record",
        "--pid",
        str(os.getpid()),
        "--format",
        "raw",
        "--gil",
        "--threads",
        "--subprocesses",
        "--rate",
        str(RATE),
        "--output",
        str(output),
    ]
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(ATTACH_SECONDS)
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
        recorder.wait(30)
