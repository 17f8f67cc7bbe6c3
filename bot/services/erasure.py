"""Forget me: erase everything tied to one person (`/painpoint forget`, `painpoint erase`).

A person's rows carry either their raw Slack id (kept only where they chose: "keep me
posted", a concern signed with their name, the nudges sent to them) or their keyed
pseudonym, `HMAC(secret, "<team key>:<user id>")`. The team key is what
`bot.listeners.context.team_of` returned when they wrote: the Enterprise Grid org ("E:…")
when there is one, else the workspace id — and before reporters were keyed by org, the
workspace. Pseudonyms cannot be reversed, so erasure recomputes the person's pseudonym under
every key they could have had.

Those keys are *stored*, not guessed: every request notes its team keys (the org and the
workspace) in `pseudonym_scopes` — a few rows per installation, naming no person — so that
`painpoint erase --user U…` on the server finds rows without asking Slack, and works for
people who have left. The caller adds the keys it knows (the request's own, `--team`), "T0"
(the fallback key, also the one nudge feedback moved by migration 0006 was pseudonymised
under) is always included, and so is the import key for a survey reporter column holding
the Slack id. Keys older than the table are added by `--team`.

What is kept: rows that record what managers and trainers did (status changes, campaigns
they created, the read audit, pilots they own) are the organisation's record, not the
person's data; counts in reports are computed from rows, so they recompute by themselves.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import String, cast, delete, distinct, func, or_, select, update
from sqlalchemy.orm import Session

from bot.db.models import PainPoint, PseudonymScope, Theme
from bot.db.nudge_models import (
    Concern,
    NudgeCampaign,
    NudgeDelivery,
    NudgeFeedback,
    NudgeRecipient,
)
from bot.db.session import SessionFactory, writer_lock
from bot.db.upsert import insert_ignore
from bot.domain.privacy import ErasureReport
from bot.privacy.pseudonym import reporter_pseudonym
from bot.services.transfer import IMPORT_NAMESPACE

logger = logging.getLogger(__name__)
FALLBACK_SCOPE = "T0"
ERASED_PREFIX = "erased:"


@dataclass(frozen=True)
class ErasureTarget:
    """Everything by which a person's rows can be found."""

    user_id: str
    pseudonyms: frozenset[str]
    # Their deliveries, found before the deliveries themselves are emptied.
    delivery_ids: tuple[int, ...]


# A part of the product with its own tables erases its share inside the same transaction
# and returns what it removed, by name (see bot.services.erasure_pilots).
ErasureHook = Callable[[Session, ErasureTarget], dict[str, int]]


def _default_hooks() -> tuple[ErasureHook, ...]:
    from bot.services.erasure_pilots import erase_pilot_participation

    return (erase_pilot_participation,)


class ErasureService:
    """Erases a person's rows; notes the team keys pseudonyms are made under."""

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        secret_key: str,
        hooks: Sequence[ErasureHook] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._session_factory = session_factory
        self._secret_key = secret_key
        self._hooks = tuple(hooks) if hooks is not None else _default_hooks()
        self._clock = clock
        self._noted: set[str] = set()
        self._noted_lock = threading.Lock()

    # -- scopes ------------------------------------------------------------------------------
    def note_scopes(self, scopes: Iterable[str]) -> None:
        """Remember team keys pseudonyms are made under (written once per process each)."""
        with self._noted_lock:
            new = sorted({s[:64] for s in scopes if s} - self._noted)
        if not new:
            return
        now = self._clock()
        with (
            writer_lock(self._session_factory),
            self._session_factory() as session,
            session.begin(),
        ):
            insert_ignore(
                session,
                PseudonymScope.__table__,  # type: ignore[arg-type]
                [{"scope": scope, "first_seen_at": now} for scope in new],
            )
        with self._noted_lock:
            self._noted.update(new)

    def scopes(self) -> set[str]:
        """Every team key noted so far, plus the fallback key."""
        with self._session_factory() as session:
            stored = set(session.scalars(select(PseudonymScope.scope)))
        return stored | {FALLBACK_SCOPE}

    def pseudonyms(
        self, user_id: str, *, team_keys: Iterable[str] = (), import_reporters: Iterable[str] = ()
    ) -> frozenset[str]:
        """The person's pseudonym under every key they could have had."""
        keys = self.scopes() | {key for key in team_keys if key}
        found = {reporter_pseudonym(self._secret_key, key, user_id) for key in keys}
        # A survey import whose reporter column held the Slack id (or the names given).
        for reporter in {user_id, *import_reporters}:
            if reporter.strip():
                found.add(
                    reporter_pseudonym(
                        self._secret_key, IMPORT_NAMESPACE, reporter.strip().casefold()
                    )
                )
        return frozenset(found)

    # -- erasure -----------------------------------------------------------------------------
    def erase(
        self,
        user_id: str,
        *,
        team_keys: Iterable[str] = (),
        import_reporters: Iterable[str] = (),
        dry_run: bool = False,
    ) -> ErasureReport:
        """Erase (or, with `dry_run`, count) every row tied to `user_id`, in one transaction."""
        pseudonyms = self.pseudonyms(
            user_id, team_keys=team_keys, import_reporters=import_reporters
        )
        report = ErasureReport(dry_run=dry_run)
        with writer_lock(self._session_factory), self._session_factory() as session:
            transaction = session.begin()
            try:
                delivery_ids = tuple(
                    session.scalars(
                        select(NudgeDelivery.id).where(NudgeDelivery.recipient == user_id)
                    )
                )
                target = ErasureTarget(user_id, pseudonyms, delivery_ids)
                self._erase_reports(session, target, report)
                self._erase_nudges(session, target, report)
                for hook in self._hooks:
                    for name, number in hook(session, target).items():
                        report.extra[name] = report.extra.get(name, 0) + number
            except BaseException:
                transaction.rollback()
                raise
            if dry_run:
                transaction.rollback()
            else:
                transaction.commit()
        if not dry_run:
            logger.info("erased %d rows tied to one person", report.total)
        return report

    def _erase_reports(
        self, session: Session, target: ErasureTarget, report: ErasureReport
    ) -> None:
        mine = or_(
            PainPoint.reporter.in_(target.pseudonyms),
            PainPoint.notify_user_id == target.user_id,
        )
        themes = {
            theme_id
            for theme_id in session.scalars(select(PainPoint.theme_id).where(mine).distinct())
            if theme_id is not None
        }
        report.painpoints = _count(session.execute(delete(PainPoint).where(mine)))
        report.concerns = _count(
            session.execute(
                delete(Concern).where(
                    or_(
                        Concern.reporter.in_(target.pseudonyms),
                        Concern.named_user_id == target.user_id,
                    )
                )
            )
        )
        report.themes_recounted = _recount_themes(session, themes)

    def _erase_nudges(self, session: Session, target: ErasureTarget, report: ErasureReport) -> None:
        report.feedback = _count(
            session.execute(
                delete(NudgeFeedback).where(
                    or_(
                        NudgeFeedback.respondent.in_(target.pseudonyms),
                        NudgeFeedback.delivery_id.in_(target.delivery_ids),
                    )
                )
            )
        )
        now = self._clock()
        d = NudgeDelivery
        # Not yet sent: never sent. Sent ones stay as counts ("delivered"), without the person.
        session.execute(
            update(d)
            .where(d.recipient == target.user_id, d.status == "pending")
            .values(status="cancelled", updated_at=now)
        )
        report.deliveries = _count(
            session.execute(
                update(d)
                .where(d.recipient == target.user_id)
                .values(
                    # Unique per run and not a Slack id, so nothing can be sent to it again.
                    recipient=ERASED_PREFIX + cast(d.id, String),
                    channel=None,
                    ts=None,
                    claimed_by=None,
                    updated_at=now,
                )
                .execution_options(synchronize_session=False)
            )
        )
        report.nudge_settings = _forget_recipient(session, target.user_id)
        report.campaign_audiences = _drop_from_audiences(session, target.user_id)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _recount_themes(session: Session, theme_ids: set[int]) -> int:
    """Stored sizes and reporter counts of the themes the person was in, from the rows left."""
    if not theme_ids:
        return 0
    counts = {
        theme_id: (int(size), int(people))
        for theme_id, size, people in session.execute(
            select(PainPoint.theme_id, func.count(), func.count(distinct(PainPoint.reporter)))
            .where(PainPoint.theme_id.in_(theme_ids))
            .group_by(PainPoint.theme_id)
        )
    }
    for theme in session.scalars(select(Theme).where(Theme.id.in_(theme_ids))):
        theme.size, theme.reporters = counts.get(theme.id, (0, 0))
    return len(theme_ids)


def _forget_recipient(session: Session, user_id: str) -> int:
    """Time zone and DM channel go; a pause stays, or forgetting would resume nudges."""
    row = session.get(NudgeRecipient, user_id)
    if row is None:
        return 0
    if row.paused:
        row.tz = row.tz_checked_at = row.im_channel = None
    else:
        session.delete(row)
    return 1


def _drop_from_audiences(session: Session, user_id: str) -> int:
    """Campaigns that named the person directly stop naming them (JSON lists, so in Python:
    there are few campaigns)."""
    changed = 0
    for campaign in session.scalars(select(NudgeCampaign)):
        audience = list(campaign.audience or [])
        if user_id in audience:
            campaign.audience = [entry for entry in audience if entry != user_id]
            changed += 1
    return changed
