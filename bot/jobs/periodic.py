"""Periodic theme work run by the lease holder's scheduler: re-clustering, the weekly digest
and spike alerts, and the retention pass (PAINPOINT_RETENTION_DAYS).

Jobs are module-level functions with explicit ids and `replace_existing=True`; what they act
on is installed with `install()` by the process that holds the worker lease, so the job store
holds only plain data and a job fired in a process without the lease does nothing.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from apscheduler.schedulers.base import BaseScheduler

from bot.domain.crontab import crontab_trigger
from bot.services.lenses import LensSuggester
from bot.services.retention import RetentionService
from bot.services.themes import ThemeService
from bot.slack.digests import DigestPublisher

logger = logging.getLogger(__name__)
RECLUSTER_JOB = "themes:recluster"
DIGEST_JOB = "digest:weekly"
SPIKES_JOB = "digest:spikes"
RETENTION_JOB = "privacy:retention"
PERIODIC_PREFIXES = ("themes:", "digest:", "privacy:")
# Daily, at night in PAINPOINT_TIMEZONE: text is removed within a day of reaching its age.
RETENTION_CRON = "30 3 * * *"
SPIKE_CHECK_CRON = "15 * * * *"  # hourly, so a spike is announced the day it shows


@dataclass(frozen=True)
class PeriodicWork:
    """What the periodic jobs act on in this process."""

    themes: ThemeService | None
    publisher: DigestPublisher | None
    # Lenses for reports that have none yet (after each re-clustering has embedded them).
    lenses: LensSuggester | None = None
    # Removes the text of reports past PAINPOINT_RETENTION_DAYS (None: retention is off).
    retention: RetentionService | None = None


_work: PeriodicWork | None = None
_lock = threading.Lock()


def install(work: PeriodicWork | None) -> None:
    """Set (or clear) what the jobs act on; only the lease holder installs anything."""
    global _work
    with _lock:
        _work = work


def _current() -> PeriodicWork | None:
    with _lock:
        return _work


def recluster_job() -> None:
    """Re-cluster every report; then check for spikes, which depend on fresh themes."""
    work = _current()
    if work is None or work.themes is None:
        return
    result = work.themes.recluster()
    if result.enough_data:
        logger.info(
            "scheduled re-clustering: %s themes, %s unassigned", result.themes, result.unassigned
        )
    else:
        logger.info("scheduled re-clustering wrote nothing: %s", result.message)
    if work.lenses is not None:
        logger.info("gave an audit lens to %s reports", work.lenses.fill())
    if work.publisher is not None:
        work.publisher.post_spike_alerts()


def weekly_digest_job() -> None:
    """Post the weekly digest with its chart to the digest channel."""
    work = _current()
    if work is not None and work.publisher is not None:
        work.publisher.post_weekly_digest()


def spike_alerts_job() -> None:
    """Announce spiking themes (or update their alert)."""
    work = _current()
    if work is not None and work.publisher is not None:
        work.publisher.post_spike_alerts()


def retention_job() -> None:
    """Remove the text of reports and concerns older than the retention period."""
    work = _current()
    if work is not None and work.retention is not None:
        work.retention.apply()


def add_periodic_jobs(
    scheduler: BaseScheduler,
    *,
    recluster_cron: str | None,
    digest_cron: str,
    timezone: str,
    digests: bool,
    retention: bool = False,
) -> list[str]:
    """Add (or replace) the periodic jobs; returns their ids (no re-clustering without a cron)."""
    jobs = [(RECLUSTER_JOB, recluster_job, recluster_cron)] if recluster_cron else []
    if retention:
        jobs.append((RETENTION_JOB, retention_job, RETENTION_CRON))
    if digests:
        jobs += [
            (DIGEST_JOB, weekly_digest_job, digest_cron),
            (SPIKES_JOB, spike_alerts_job, SPIKE_CHECK_CRON),
        ]
    for job_id, func, cron in jobs:
        scheduler.add_job(
            func,
            trigger=crontab_trigger(cron, timezone),
            id=job_id,
            name=job_id,
            replace_existing=True,
            misfire_grace_time=3600,
            coalesce=True,
            max_instances=1,
        )
    return [job_id for job_id, _, _ in jobs]
