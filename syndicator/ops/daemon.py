"""The daemon: APScheduler ticks, the database decides what is due, the domain does the work.

Jobs only tick (DESIGN.md, after miniflux): "poll" polls the feeds whose next poll time has come,
"publish" makes one publishing pass, "classify" stores the report's category of new items,
"reach" reads the counters of published posts whose age in reach.ages has come. Each
job runs one instance at a time, missed runs are coalesced, and a little jitter keeps several
daemons from ticking in step. One job keeps the
calendar instead: "report" writes the weekly report on Mondays at 07:00 local time (report_job).
"""

from __future__ import annotations

import fcntl
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import NamedTuple

import structlog
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import ASGIApp

from connectors.base import ConnectorError, RefreshesTokens
from storage import feeds as feed_store
from storage import publishing as publishing_store
from storage.session import writing
from syndicator.app import App
from syndicator.errors import SyndicatorError
from syndicator.ingest.poller import due_feeds
from syndicator.ops import alerts, report_job
from syndicator.ops.health import Heartbeat, Metrics, Readiness, health_routes
from syndicator.ops.web_server import WebServer, start_web_server
from syndicator.publish.reach import collect_due
from syndicator.report.categorize import classify_stored

log = structlog.get_logger("syndicator.ops.daemon")


@dataclass(frozen=True, slots=True)
class JobSpec:
    name: str
    seconds: int
    jitter: int


TICK = 0  # "every daemon.tick" (the frequent jobs); the others have fixed intervals
JOBS = (
    JobSpec("poll", TICK, 5),
    JobSpec("publish", TICK, 5),
    JobSpec("alerts", TICK, 5),
    JobSpec("classify", TICK, 5),  # the report's category of each new item (report/categorize)
    JobSpec("reach", TICK, 5),  # published posts' counters at reach.ages (when reach.collect)
    JobSpec("tokens", 15 * 60, 30),  # refresh rotating tokens (Zalo: 25 h) well before expiry
    JobSpec("check_tokens", 24 * 3600, 300),  # ask every platform whether its token is still good
    JobSpec("maintain", 7 * 24 * 3600, 600),  # prune leftovers, refresh planner statistics
)

ERROR_DAYS_KEPT = timedelta(days=400)  # feed_error_day rows older than this are pruned


@dataclass
class Monitor:
    """What the jobs report for /readyz and /metrics."""

    heartbeat: Heartbeat = field(default_factory=Heartbeat)
    metrics: Metrics = field(default_factory=Metrics)


class AlreadyRunning(SyndicatorError):
    """Another daemon holds this SQLite database."""


def poll_due(app: App, monitor: Monitor | None = None) -> int:
    """Poll the feeds whose next poll time has come; returns how many were polled."""
    poller = app.poller()
    feeds = due_feeds(poller.engine, app.feeds(), app.clock.now())
    outcomes = poller.poll(feeds) if feeds else []
    if monitor is not None:
        for outcome in outcomes:
            monitor.metrics.count_poll(outcome.feed, outcome.status)
        monitor.heartbeat.beat(app.clock.now())
    return len(outcomes)


def publish_due(app: App, monitor: Monitor | None = None) -> int:
    started = time.monotonic()
    outcomes = app.publisher().run_once()
    if monitor is not None and outcomes:
        share = (time.monotonic() - started) / len(outcomes)  # a pass is timed as a whole
        for outcome in outcomes:
            monitor.metrics.observe_publish(outcome.channel, outcome.status, share)
    return len(outcomes)


def raise_alerts(app: App, monitor: Monitor | None = None) -> int:
    """Open, resolve and send alerts for what needs a person (each condition once)."""
    opened = alerts.check(
        app.migrated_engine(),
        app.settings.alerts,
        app.http,
        alerts.connect_smtp,
        app.clock.now(),
        app.token_lifetimes(),
    )
    return len(opened)


def classify_items(app: App, monitor: Monitor | None = None) -> int:
    """Store the report's category of the items not yet classified under the current rules."""
    return classify_stored(app.migrated_engine(), app.settings.report.rules)


def collect_reach(app: App, monitor: Monitor | None = None) -> int:
    """Read the counters of the published posts due at an age of reach.ages; returns the
    (post, age) rows stored. Nothing when reach.collect is off."""
    reach = app.settings.reach
    if not reach.collect:
        return 0
    connectors, _ = app.connectors()
    passes = collect_due(app.migrated_engine(), connectors, reach.ages, app.clock.now)
    return sum(done.stored for done in passes)


def refresh_tokens(app: App, monitor: Monitor | None = None) -> int:
    """Touch each rotating token pair, which refreshes it when it is within its margin."""
    connectors, _ = app.connectors()
    refreshed = 0
    for name, connector in connectors.items():
        if not isinstance(connector, RefreshesTokens):
            continue  # its tokens do not rotate
        try:
            connector.refresh_if_due()
            refreshed += 1
        except ConnectorError as error:
            log.warning("token.refresh_failed", channel=name, error=str(error))
    return refreshed


def check_tokens(app: App, monitor: Monitor | None = None) -> int:
    """Daily: a channel whose token is bad is logged (and raised as an alert) before it fails."""
    connectors, missing = app.connectors()
    problems = dict(missing)
    for name, connector in connectors.items():
        try:
            health = connector.check()
        except ConnectorError as error:
            problems[name] = f"cannot check now: {error}"
            continue
        if not health.ok:
            problems[name] = health.detail
    for name, detail in problems.items():
        log.warning("token.problem", channel=name, detail=detail)
    return len(problems)


def maintain(app: App, monitor: Monitor | None = None) -> int:
    """Weekly: prune leftovers (never posts or their audit trail), then refresh statistics."""
    engine = app.migrated_engine()
    now = app.clock.now()
    with writing(engine) as session:
        steps, old_alerts = publishing_store.prune(
            session, now - timedelta(days=30), now - timedelta(days=365)
        )
        # Failed-poll counts outlive a year's report (and a year-on-year look) by a month.
        error_days = feed_store.prune_error_days(session, (now - ERROR_DAYS_KEPT).date())
    log.info("database.pruned", steps=steps, alerts=old_alerts, error_days=error_days)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA optimize")
        else:
            connection.exec_driver_sql("ANALYZE")
    return 1


class Cycle(NamedTuple):
    """What one `run --once` did."""

    polled: int
    handled: int
    opened: int  # alerts opened (sent, if a destination is set)


def run_once(app: App) -> Cycle:
    """One full cycle, for cron: the daemon's every-tick jobs in turn (poll what is due, publish
    what is due, raise and resolve alerts, classify new items, collect the counters due), so a
    cron install hears about a paused channel and its reports read stored categories."""
    cycle = Cycle(poll_due(app), publish_due(app), raise_alerts(app))
    classify_items(app)
    collect_reach(app)
    return cycle


def build_scheduler(app: App, monitor: Monitor | None = None) -> BackgroundScheduler:
    """The scheduler with its jobs, not started (tests inspect it)."""
    scheduler = BackgroundScheduler(timezone=app.settings.timezone)
    work: dict[str, Callable[[App, Monitor | None], int]] = {
        "poll": poll_due,
        "publish": publish_due,
        "alerts": raise_alerts,
        "classify": classify_items,
        "reach": collect_reach,
        "tokens": refresh_tokens,
        "check_tokens": check_tokens,
        "maintain": maintain,
    }
    tick = int(app.settings.daemon.tick.total_seconds())
    for spec in JOBS:
        if spec.name == "reach" and not app.settings.reach.collect:
            continue  # the operator turned engagement collection off
        seconds = spec.seconds or tick
        # Frequent jobs run at start; a daily or weekly one waits its first interval. (Passing
        # next_run_time=None would add the job paused, so it is left out instead.)
        first = {"next_run_time": app.clock.now()} if seconds <= 3600 else {}
        scheduler.add_job(
            _logged(spec.name, work[spec.name], app, monitor),
            "interval",
            seconds=seconds,
            jitter=min(spec.jitter, max(seconds // 10, 0)),
            id=spec.name,
            max_instances=1,
            coalesce=True,
            **first,
        )
    if app.settings.report.weekly:
        scheduler.add_job(
            _logged("report", weekly_report, app, monitor),
            weekly_trigger(app.settings.timezone),
            id="report",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,  # a busy or suspended machine still writes it that morning
        )
    return scheduler


def weekly_trigger(timezone: str) -> CronTrigger:
    """Every Monday at 07:00 in the settings' time zone: the report is there when work starts."""
    return CronTrigger(day_of_week="mon", hour=7, minute=0, timezone=timezone)


def weekly_report(app: App, monitor: Monitor | None = None) -> int:
    """The report of the last report.period, written to report.folder (and mailed when
    report.email); a failure is logged by report_job and waits for the next Monday."""
    return int(report_job.weekly_report(app).error is None)


def _logged(
    name: str, job: Callable[[App, Monitor | None], int], app: App, monitor: Monitor | None
) -> Callable[[], None]:
    def run() -> None:
        try:
            done = job(app, monitor)
            log.debug("job.ran", job=name, handled=done)
        except Exception:  # a failing tick must not kill the daemon; the next tick retries
            log.exception("job.failed", job=name)

    return run


@contextmanager
def single_daemon(database_url: str, lock_dir: Path) -> Iterator[None]:
    """One daemon per SQLite file: an exclusive lock on a file beside it, naming the holder's pid.
    PostgreSQL deployments may run several (claims keep them from doing the same work)."""
    if not database_url.startswith("sqlite"):
        yield
        return
    lock_dir.mkdir(parents=True, exist_ok=True)
    path = lock_dir / "syndicator.pid"
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise AlreadyRunning(
                f"another `syndicator run` (pid {holder}) uses this database; "
                f"stop it first, or use PostgreSQL to run several"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def serve(app: App, grace: float = 30.0, site: ASGIApp | None = None) -> None:
    """Run until SIGTERM or SIGINT: finish the work in flight (up to `grace` seconds), then
    exit; a second signal exits at once (committed work is never lost: each step commits).
    When web.enabled, one web server answers /healthz, /readyz, /metrics and `site` (the
    admin page) on web.listen."""
    stop = threading.Event()

    def on_signal(number: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            log.warning("daemon.killed", signal=number)
            os._exit(1)
        log.info("daemon.stopping", signal=number)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    monitor = Monitor()
    scheduler = build_scheduler(app, monitor)
    web = _start_web(app, scheduler, monitor, site)  # first: a taken web.listen stops us clean
    scheduler.start()
    log.info("daemon.started", jobs=[job.id for job in scheduler.get_jobs()])
    stop.wait()
    if web is not None:
        web.stop(app.settings.web.request_timeout.total_seconds() + 5)
    finisher = threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, daemon=True)
    finisher.start()
    finisher.join(grace)
    log.info("daemon.stopped", clean=not finisher.is_alive())


def _start_web(
    app: App, scheduler: BackgroundScheduler, monitor: Monitor, site: ASGIApp | None
) -> WebServer | None:
    """The health routes, then the admin page for every other path, when web.enabled."""
    if not app.settings.web.enabled:
        return None
    engine = app.migrated_engine()
    readiness = Readiness(
        engine=engine,
        scheduler_running=lambda: bool(scheduler.running),
        last_poll_tick=monitor.heartbeat.last,
        started_at=app.clock.now(),
        clock=app.clock.now,
    )
    routes = health_routes(readiness, monitor.metrics, engine)
    if site is not None:
        routes.append(Mount("/", app=site))
    return start_web_server(Starlette(routes=routes), app.settings.web)
