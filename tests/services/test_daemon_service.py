"""Running the daemon from a front end: the admin page is built only once the daemon lock is
held, so a second `run` that is refused makes and prints no first-admin link. (The lock is
SQLite's: on PostgreSQL several daemons may run, issue #15.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from syndicator.ops.daemon import AlreadyRunning, single_daemon
from syndicator.services import daemon as service
from tests.helpers.apps import app_over

SETTINGS = """
[database]
url = "{url}"
"""


def test_a_refused_second_daemon_never_builds_its_admin_page(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    app = app_over(sqlite_engine, tmp_path, SETTINGS)

    def admin_page() -> None:  # raising, so that a broken lock fails the test, never serves
        raise AssertionError("the admin page was built without the daemon lock")

    try:
        with (
            single_daemon(app.settings.database_url(), app.settings.resolve_path("var")),
            pytest.raises(AlreadyRunning),
        ):
            service.run_forever(app, admin_page)
    finally:
        app.close()
