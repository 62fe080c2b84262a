"""End to end, exactly once: 300 articles from 10 feeds go to a fake Facebook Page and a fake Zalo
OA through `main.py poll` and repeated `main.py publish` processes, under random faults on both
platforms and SIGKILLs at chosen moments of a publish request; at the end every approved post is
on each of its channels exactly once and none is lost (DESIGN.md, "Delivery guarantee").

Everything is decided up front by one seeded random.Random: which publish request (by ordinal, per
endpoint) gets which fault, and which is the moment of a kill. A kill is signalled by the fake's
request handler, which then holds the request while this test SIGKILLs the publisher and waits
for it to die: "before" the platform stored anything, "after" it stored the post but before the
answer left, or while answering Zalo's verify. Nothing here sleeps.

Time: leases, the visibility delay, the retry ladder (5 min, 30 min…) and channel pauses are
wall-clock waits. Each publish process runs with its system clock shifted forward (a bootstrap
that replaces syndicator.clock.SystemClock.now, the product's only clock read) and the fakes share
the same shift, so the next run starts just when the next thing becomes due. The in-run retry
of a plain transient error still sleeps for real (tenacity, 2 s), so such faults are few.
"""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from storage.engine import make_engine
from storage.models import ChannelPause, Post
from storage.session import reading
from syndicator.posts.render import Rendered
from tests.helpers.fake_graph import FakeGraph
from tests.helpers.fake_zalo import APP_SECRET, FakeZalo
from tests.helpers.httpserver import LocalServer, Reply
from tests.helpers.paths import ROOT

ROOT = ROOT
SEED = 20261101
FEEDS, ITEMS = 10, 30
ARTICLES = FEEDS * ITEMS
MAX_RUNS = 80  # publish processes; a run that never converges fails instead of hanging CI
RUN_TIMEOUT = 120.0  # seconds one publish process may take
DEADLINE = 240.0  # seconds for the whole publishing phase
STEP = timedelta(minutes=1)  # the least a run's clock moves past the previous run's
SECRET_KEY = "e2e-master-key-0123456789-abcdefghijklmno"  # 40 characters, fake

# The publisher's process with its clock shifted by E2E_CLOCK_SHIFT seconds (see the docstring).
BOOT = """
import os, sys
from datetime import UTC, datetime, timedelta
from syndicator import clock
shift = timedelta(seconds=float(os.environ["E2E_CLOCK_SHIFT"]))
clock.SystemClock.now = lambda self: datetime.now(UTC) + shift
from syndicator.cli import main
sys.argv[0] = "main.py"
main()
"""

# What happens to the n-th request on each endpoint, drawn from the seeded RNG.
FB_FEED, ZALO_CREATE, ZALO_VERIFY, ZALO_OAUTH = "fb.feed", "zalo.create", "zalo.verify", "oauth"
KILLS = ("kill_before", "kill_after")
PLAN_SHAPE: dict[str, dict[str, int]] = {
    # http_500: Graph's transient 500, nothing created (ambiguous for a write: reconciled, then
    # retried); rate_limit: code 4 with full X-App-Usage (no estimate: the channel pauses
    # 1 min, longer if throttling goes on);
    # answer_lost: the post is created, the connection closes before the answer (what a
    # timeout after create is; the fake's own timeout_after_create stalls 60 s, see below).
    FB_FEED: {"http_500": 5, "rate_limit": 2, "answer_lost": 5, "kill_before": 3, "kill_after": 3},
    # timeout_after_create (stall 0: created, then the connection closes unanswered),
    # expired_token (-216: refreshed and repeated), http_500 (ambiguous after create).
    ZALO_CREATE: {
        "http_500": 4,
        "timeout_after_create": 5,
        "expired_token": 4,
        "kill_before": 2,
        "kill_after": 2,
    },
    # verify: a 500 is a plain transient error (retried in the run after a real 2 s sleep).
    ZALO_VERIFY: {"http_500": 2, "expired_token": 2, "kill_after": 1},
}
# The first token refresh (the seeded access token is empty) answers 500 once.
OAUTH_PLAN = {1: "http_500"}


# -- the shared clock -------------------------------------------------------------------------


class Shift:
    """The fakes' clock: the wall clock plus the shift of the publish process now running."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


# -- chaos: faults and kills at chosen requests ----------------------------------------------


@dataclass
class Chaos:
    """The plan, the counters, and the handshake between a held request and the test thread."""

    plan: dict[tuple[str, int], str]
    lock: threading.Lock = field(default_factory=threading.Lock)
    counts: Counter[str] = field(default_factory=Counter)
    fired: list[tuple[str, int, str]] = field(default_factory=list)
    wake: threading.Event = field(default_factory=threading.Event)
    killed: threading.Event = field(default_factory=threading.Event)
    kill_wanted: str | None = None

    def action(self, endpoint: str) -> str | None:
        with self.lock:
            self.counts[endpoint] += 1
            n = self.counts[endpoint]
            act = self.plan.get((endpoint, n))
            if act is not None:
                self.fired.append((endpoint, n, act))
            return act

    def new_run(self) -> None:
        with self.lock:
            self.wake, self.killed, self.kill_wanted = threading.Event(), threading.Event(), None

    def kill_me(self, where: str, request: BaseHTTPRequestHandler) -> None:
        """Ask the test to SIGKILL the publisher; hold this request until it is dead."""
        with self.lock:
            self.kill_wanted, killed, wake = where, self.killed, self.wake
        wake.set()
        killed.wait(RUN_TIMEOUT)
        request.close_connection = True  # the client is gone: no answer

    def unanswered(self, request: BaseHTTPRequestHandler, handler: Any) -> None:
        """Run the fake's handler (its effect happens) but drop its answer and the connection."""
        real, request.wfile = request.wfile, io.BytesIO()
        try:
            handler(request)
        finally:
            request.wfile = real
        request.close_connection = True


class ChaosGraph(FakeGraph):
    """FakeGraph whose feed endpoint follows the plan."""

    def __init__(self, chaos: Chaos, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.chaos = chaos
        self.server.route(f"/{self.version}/{self.page_id}/feed", self._chaos_feed)

    def _chaos_feed(self, request: BaseHTTPRequestHandler) -> None:
        act = self.chaos.action(FB_FEED)
        if act in ("http_500", "rate_limit"):
            self.fail_next(1, act)
        if act == "kill_before":
            self.chaos.kill_me(f"{FB_FEED} before", request)
        elif act in ("answer_lost", "kill_after"):
            self.chaos.unanswered(request, self._publish)
            if act == "kill_after":
                self.chaos.kill_me(f"{FB_FEED} after", request)
        else:
            self._publish(request)


class ChaosZalo(FakeZalo):
    """FakeZalo whose create, verify and OAuth endpoints follow the plan."""

    def __init__(self, chaos: Chaos, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.chaos = chaos
        self.stall = 0.0  # timeout_after_create: created, then the connection closes at once
        self.server.route("/v2.0/article/create", self._chaos(ZALO_CREATE, self._create))
        self.server.route("/v2.0/article/verify", self._chaos(ZALO_VERIFY, self._verify))
        self.server.route("/v4/oa/access_token", self._chaos(ZALO_OAUTH, self._access_token))

    def _chaos(self, endpoint: str, handler: Any) -> Any:
        def answer(request: BaseHTTPRequestHandler) -> None:
            act = self.chaos.action(endpoint)
            if act in ("http_500", "expired_token", "timeout_after_create"):
                self.fail_next(1, act)  # consumed by this very request (checked first)
            if act == "kill_before":
                self.chaos.kill_me(f"{endpoint} before", request)
            elif act == "kill_after":
                self.chaos.unanswered(request, handler)
                self.chaos.kill_me(f"{endpoint} after", request)
            else:
                handler(request)

        return answer


def make_plan(rng: random.Random) -> dict[tuple[str, int], str]:
    """Distinct request ordinals per endpoint, all within the requests that surely happen."""
    plan: dict[tuple[str, int], str] = {}
    reach = {FB_FEED: ARTICLES, ZALO_CREATE: ARTICLES, ZALO_VERIFY: ARTICLES - 40}
    for endpoint, shape in PLAN_SHAPE.items():
        acts = [act for act, n in shape.items() for _ in range(n)]
        for ordinal, act in zip(
            rng.sample(range(2, reach[endpoint]), len(acts)), acts, strict=True
        ):
            plan[(endpoint, ordinal)] = act
    plan.update({(ZALO_OAUTH, n): act for n, act in OAUTH_PLAN.items()})
    return plan


# -- feeds and settings -----------------------------------------------------------------------


def feed_xml(number: int, now: datetime) -> bytes:
    items = ""
    for n in range(ITEMS):
        published = format_datetime(now - timedelta(minutes=number * ITEMS + n + 5))
        items += (
            f"<item><title>Sở {number}: thông báo số {n} về thủ tục hành chính công</title>"
            f"<link>https://so{number}.example.gov.vn/tin/{n}.html</link>"
            f"<guid>so{number}-tin-{n}</guid><pubDate>{published}</pubDate>"
            f"<description>Sở {number} thông báo số {n}: hướng dẫn người dân và doanh nghiệp "
            f"thực hiện thủ tục hành chính trực tuyến trên Cổng dịch vụ công của tỉnh, "
            f"thời hạn giải quyết và các giấy tờ cần chuẩn bị.</description></item>"
        )
    channel = f"<channel><title>Sở {number}</title>{items}</channel>"
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0">{channel}</rss>'.encode()


def write_settings(tmp_path: Path, feeds: LocalServer, graph: FakeGraph, zalo: FakeZalo) -> Path:
    body = f"""
[polling]
parse_processes = 0
backfill = {ITEMS}
workers = 1  # feeds polled in order: the same post ids every time
allow_networks = ["127.0.0.0/8"]  # the portals are loopback test servers

[render]
templates = "{ROOT / "templates"}"
default_image = "https://tinh.example.gov.vn/logo.png"

[publishing]
lease = "31s"  # just longer than a whole attempt with 1 s requests (the least allowed)
visibility_delay = "1s"
request_timeout = "1s"

[logging]
format = "json"

[channels.facebook]
type = "facebook"
page_id = "{graph.page_id}"
graph_url = "{graph.url}"
api_version = "{graph.version}"

[channels.zalo]
type = "zalo"
app_id = "{zalo.app_id}"
api_url = "{zalo.url}"
oauth_url = "{zalo.url}"
"""
    for channel in ("facebook", "zalo"):
        body += (
            f'\n[pacing.{channel}]\nquiet_hours = ""\nmin_spacing = "0s"\n'
            "max_per_hour = 3600\nmax_per_day = 86400\n"  # the most allowed: no pacing here
        )
    for number in range(FEEDS):
        body += (
            f'\n[[feeds]]\nid = "so{number}"\nname = "Sở {number}"\n'
            f'url = "{feeds.url(f"/{number}.rss")}"\nreview = "auto"\n'
            'channels = ["facebook", "zalo"]\n'
        )
    path = tmp_path / "settings.toml"
    path.write_text(body, encoding="utf-8")
    return path


def environment(graph: FakeGraph, shift: timedelta) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATOR_")}
    return env | {
        "SYNDICATOR_CHANNELS__FACEBOOK__PAGE_TOKEN": graph.token,
        "SYNDICATOR_CHANNELS__ZALO__APP_SECRET": APP_SECRET,
        "SYNDICATOR_CHANNELS__ZALO__REFRESH_TOKEN": "rt-0",
        "SYNDICATOR_SECRET_KEY": SECRET_KEY,
        "E2E_CLOCK_SHIFT": str(shift.total_seconds()),
    }


def command(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", BOOT, "--config", str(config), *args]


# -- the database, read between runs (no publisher is alive then) ------------------------------


@dataclass(frozen=True)
class Snapshot:
    posts: list[Post]
    pauses: list[ChannelPause]

    def by_status(self) -> Counter[str]:
        return Counter(p.status for p in self.posts)

    def pending(self) -> list[Post]:
        return [p for p in self.posts if p.status in ("approved", "publishing")]

    def next_due(self, now: datetime) -> datetime | None:
        """The earliest moment after `now` when a retry, a lease or a channel pause ends."""
        moments = [p.next_attempt_at for p in self.pending() if p.next_attempt_at is not None]
        moments += [p.claim_expires_at for p in self.pending() if p.claim_expires_at is not None]
        moments += [pause.until for pause in self.pauses if pause.until is not None]
        return min((m for m in moments if m > now), default=None)


def snapshot(db: Path) -> Snapshot:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with reading(engine) as session:
            return Snapshot(
                list(session.exec(select(Post).order_by(Post.id))),  # type: ignore[arg-type]
                list(session.exec(select(ChannelPause))),
            )
    finally:
        engine.dispose()


# -- one publish process ---------------------------------------------------------------------


@dataclass
class Run:
    number: int
    shift: timedelta
    killed_at: str | None = None
    exit_code: int | None = None
    outcomes: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def publish_once(config: Path, graph: FakeGraph, chaos: Chaos, run: Run, logs: Path) -> None:
    """Start `publish`; SIGKILL it if a fake asks to; record how it ended."""
    chaos.new_run()
    started = time.monotonic()
    out, err = logs / f"publish-{run.number:03}.out", logs / f"publish-{run.number:03}.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            command(config, "publish", "--json"),
            cwd=ROOT,
            stdout=stdout,
            stderr=stderr,
            env=environment(graph, run.shift),
        )
        wake = chaos.wake
        threading.Thread(target=lambda: (process.wait(), wake.set()), daemon=True).start()
        try:
            assert wake.wait(RUN_TIMEOUT), f"publish run {run.number} hung; see {err}"
            with chaos.lock:
                wanted = chaos.kill_wanted
            if wanted is not None and process.poll() is None:
                process.send_signal(signal.SIGKILL)
                assert process.wait(30) == -signal.SIGKILL
                run.killed_at = wanted
            else:
                run.exit_code = process.wait(30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(30)
            chaos.killed.set()  # release the held request, if any
    run.seconds = time.monotonic() - started
    for line in out.read_text(encoding="utf-8").splitlines():
        run.outcomes[json.loads(line)["status"]] += 1
    if run.killed_at is None:
        assert run.exit_code in (0, 1), (
            f"publish run {run.number} exited {run.exit_code}:\n{err.read_text(encoding='utf-8')}"
        )


# -- the test ---------------------------------------------------------------------------------


@pytest.fixture
def feeds() -> Iterator[LocalServer]:
    now = datetime.now(UTC)
    with LocalServer() as server:
        for number in range(FEEDS):
            xml = Reply(feed_xml(number, now), headers={"Content-Type": "application/rss+xml"})
            server.route(f"/{number}.rss", xml)
        yield server


@pytest.mark.slow
def test_every_approved_post_once_on_each_channel_through_faults_and_kills(
    tmp_path: Path, feeds: LocalServer
) -> None:
    """300 articles on {facebook, zalo}; faults and SIGKILLs; each post on its channel once."""
    rng = random.Random(SEED)
    chaos = Chaos(make_plan(rng))
    shift = Shift()
    logs = tmp_path / "logs"
    logs.mkdir()
    db = tmp_path / "var" / "syndicator.db"
    with (
        ChaosGraph(chaos, clock=shift.now) as graph,
        ChaosZalo(chaos, clock=shift.now) as zalo,
    ):
        config = write_settings(tmp_path, feeds, graph, zalo)
        polled = subprocess.run(
            command(config, "poll", "--json"),
            cwd=ROOT,
            capture_output=True,
            env=environment(graph, timedelta(0)),
            timeout=120,
            check=False,
        )
        assert polled.returncode == 0, polled.stderr.decode()
        first = snapshot(db)
        assert first.by_status() == {"approved": 2 * ARTICLES}, first.by_status()

        runs: list[Run] = []
        started = time.monotonic()
        while True:
            assert len(runs) < MAX_RUNS, f"not done after {MAX_RUNS} publish runs: {runs[-3:]}"
            assert time.monotonic() - started < DEADLINE, f"too slow: {len(runs)} runs"
            run = Run(len(runs) + 1, shift.offset)
            publish_once(config, graph, chaos, run, logs)
            runs.append(run)
            state = snapshot(db)
            stuck = [p for p in state.pauses if p.until is None]
            assert not stuck, f"a channel is paused for a person: {[p.reason for p in stuck]}"
            if not state.pending():
                break
            # The next run starts when the next thing is due (a lease, a retry, a pause), and
            # always a little later than this one.
            real_now = datetime.now(UTC)
            due = state.next_due(real_now + shift.offset)
            later = shift.offset + STEP
            if due is not None:
                later = max(later, due - real_now + timedelta(seconds=1))
            shift.offset = later

        # A last run finds nothing to do.
        last = Run(len(runs) + 1, shift.offset + STEP)
        shift.offset = last.shift
        publish_once(config, graph, chaos, last, logs)
        assert last.exit_code == 0 and not last.outcomes, last
        elapsed = time.monotonic() - started
        fb_posts, articles = graph.posts, list(zalo.articles)

    final = snapshot(db)
    kills = [(r.number, r.killed_at) for r in runs if r.killed_at]
    report = {
        "seed": SEED,
        "runs": len(runs),
        "publishing_seconds": round(elapsed, 1),
        "kills": kills,
        "fired": chaos.fired,
        "outcomes": sum((r.outcomes for r in runs), Counter()),
        "final": final.by_status(),
        "clock_shift": str(shift.offset),
    }
    print(json.dumps(report, default=str, ensure_ascii=False, indent=1))  # shown with -s

    # Every planned fault and kill really happened (the plan stays within what always runs).
    assert sorted(chaos.fired) == sorted((e, n, a) for (e, n), a in chaos.plan.items())
    planned_kills = sum(1 for a in chaos.plan.values() if a in KILLS)
    assert len(kills) == planned_kills, kills

    # Every post is published, none needs a person, none failed, none is lost.
    assert final.by_status() == {"published": 2 * ARTICLES}, {
        p.id: (p.channel, p.status, p.last_error) for p in final.posts if p.status != "published"
    }

    # Each article exactly once on each channel: no duplicate, none missing. The links carry
    # [reach]'s default campaign: reconcile recognised the tagged posts through the faults.
    campaign = "utm_source=facebook&utm_medium=social&utm_campaign=so"
    links = {
        f"https://so{f}.example.gov.vn/tin/{n}.html?{campaign}{f}"
        for f in range(FEEDS)
        for n in range(ITEMS)
    }
    titles = {
        f"Sở {f}: thông báo số {n} về thủ tục hành chính công"
        for f in range(FEEDS)
        for n in range(ITEMS)
    }
    on_page = Counter(p.link for p in fb_posts)
    on_oa = Counter(a.body["title"] for a in articles)
    duplicates = {
        "facebook": {link: n for link, n in on_page.items() if n != 1},
        "zalo": {title: n for title, n in on_oa.items() if n != 1},
    }
    assert duplicates == {"facebook": {}, "zalo": {}}, "published more than once"
    assert set(on_page) == links and len(fb_posts) == ARTICLES
    assert set(on_oa) == titles and len(articles) == ARTICLES

    # Each post's recorded remote id is the platform's post for that very article.
    fb_by_id = {p.id: p.link for p in fb_posts}
    oa_by_id = {a.id: a.body["title"] for a in articles}
    for post in final.posts:
        rendered = Rendered.from_json(post.rendered)
        if post.channel == "facebook":
            assert fb_by_id.get(post.remote_id or "") == rendered.link, post.id
        else:
            assert oa_by_id.get(post.remote_id or "") == rendered.title, post.id
