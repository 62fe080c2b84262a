"""The daemon's "classify" job: store each item source's category under the current rules
(storage/categories.py), so that a report reads categories rather than classifying its period.

Each batch is one short transaction (the poller's writes wait at most one batch); a run stops
after `max_batches` and the next tick goes on, newest rows first. After a change of the rules
every row is classified again this way, a report classifying meanwhile what the job has not
reached: its figures are right at every moment, only slower until the job is through.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from storage import categories as category_store
from storage.session import writing
from syndicator.report.classify import Classifier
from syndicator.report_settings import RuleSettings

BATCH = 5_000  # rows per transaction: ~0.1 s of classifying and writing on SQLite
MAX_BATCHES = 20  # per run: a run of the job stays within seconds


def classify_stored(
    engine: Engine,
    rules: Sequence[RuleSettings],
    batch: int = BATCH,
    max_batches: int = MAX_BATCHES,
) -> int:
    """Classify up to `batch` x `max_batches` of the sources not classified under `rules`,
    newest first; returns how many were classified."""
    classifier = Classifier.compile(rules)
    done = 0
    for _ in range(max_batches):
        with writing(engine) as session:
            rows = category_store.unclassified(session, classifier.digest, batch)
            found = [
                (source_id, classifier.stored_category(searched, title, link))
                for source_id, searched, title, link in rows
            ]
            category_store.store(session, classifier.digest, found)
        done += len(rows)
        if len(rows) < batch:
            break
    return done
