"""Pilots: start one from a theme, log custom KPI values, close it with a verdict.

Each change is one transaction that also writes what it causes: the theme's status (logged
with who and when) and the outbox campaigns that carry the pilot's DMs (start, weekly pulse,
close), so a DM is never sent for a change that did not happen, nor lost for one that did.
A replayed Slack submission is recognised by its claim key and changes nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import RequestClaim, Theme, ThemeEvent
from bot.db.pilot_models import Pilot, PilotKpi, PilotKpiValue
from bot.db.session import SessionFactory, writer_lock
from bot.domain.occurrences import next_expansion
from bot.domain.pilots import (
    MAX_NOTE,
    VERDICT_STATUS,
    VERDICTS,
    CloseResult,
    PilotDefaults,
    PilotDraft,
    PilotError,
    PilotView,
    once_now,
    outbox_key,
    pulse_schedule,
)
from bot.services.nudges import cancel_campaign
from bot.services.pilot_kpis import (
    baseline_from_history,
    pilot_views,
    running_pilots,
    theme_reports,
)
from bot.services.pilot_writes import open_campaign, set_theme_status
from bot.services.visibility import is_shown


class AlreadyDone(Exception):
    """This exact submission was already acted on (a replay); nothing was changed."""


class PilotService:
    """Starts, measures, logs and closes pilots; returns plain PilotView records."""

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        min_reporters: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._session_factory = session_factory
        self.min_reporters = min_reporters
        self._clock = clock

    def today(self) -> date:
        """Today's date in UTC (pilot dates are calendar days)."""
        return self._clock().astimezone(UTC).date()

    # -- reading -------------------------------------------------------------------------
    def _visible_theme(self, session: Session, theme_id: int) -> Theme | None:
        """A theme managers may see: active, and backed by at least k distinct people."""
        if not is_shown(session, theme_id, self.min_reporters):
            return None
        return session.get(Theme, theme_id)

    def _unknown_theme(self, theme_id: int) -> PilotError:
        return PilotError(
            f"unknown theme #{theme_id}: no theme with at least {self.min_reporters} "
            "reporters has that number"
        )

    def defaults(self, theme_id: int) -> PilotDefaults:
        """The start form's prefill: title and baselines from the theme's history."""
        today = self.today()
        with self._session_factory() as session:
            theme = self._visible_theme(session, theme_id)
            if theme is None:
                raise self._unknown_theme(theme_id)
            reports = theme_reports(session, [theme_id]).get(theme_id, [])
            running = running_pilots(session).get(theme_id)
            title = theme.title
        baselines = {
            kind: baseline_from_history(kind, reports, today, self.min_reporters)[0]
            for kind in ("reports", "hours")
        }
        return PilotDefaults(theme_id, title, baselines, running)

    def views(self, *, include_closed: bool = True, owner: str | None = None) -> list[PilotView]:
        """Every pilot (only `owner`'s when given), newest first."""
        query = select(Pilot).order_by(Pilot.id.desc())
        if not include_closed:
            query = query.where(Pilot.status != "closed")
        if owner is not None:
            query = query.where(Pilot.owner == owner)
        with self._session_factory() as session:
            pilots = list(session.scalars(query))
            return pilot_views(
                session, pilots, min_reporters=self.min_reporters, today=self.today()
            )

    def get(self, pilot_id: int) -> PilotView | None:
        """One pilot, or None."""
        with self._session_factory() as session:
            pilot = session.get(Pilot, pilot_id)
            if pilot is None:
                return None
            [view] = pilot_views(
                session, [pilot], min_reporters=self.min_reporters, today=self.today()
            )
            return view

    def audience(self, pilot_id: int) -> list[str] | None:
        """Who the pilot's DMs go to: named participants, and the theme's opted-in reporters."""
        with self._session_factory() as session:
            pilot = session.get(Pilot, pilot_id)
            return None if pilot is None else _audience(pilot, closing=False)

    # -- changing ------------------------------------------------------------------------
    def create(
        self, draft: PilotDraft, *, created_by: str, claim_key: str | None = None
    ) -> PilotView:
        """Start a pilot; the theme goes to "piloting". PilotError with one line if not."""
        draft.check()
        now = self._clock()
        with writer_lock(self._session_factory), self._session_factory() as session:
            try:
                with session.begin():
                    _claim(session, claim_key, now)
                    theme = self._visible_theme(session, draft.theme_id)
                    if theme is None:
                        raise self._unknown_theme(draft.theme_id)
                    pilot = self._insert(session, draft, theme, created_by, now)
                    pilot_id = pilot.id
            except IntegrityError:
                raise AlreadyDone from None
        view = self.get(pilot_id)
        assert view is not None
        return view

    def _insert(
        self, session: Session, draft: PilotDraft, theme: Theme, created_by: str, now: datetime
    ) -> Pilot:
        pilot = Pilot(
            theme_id=theme.id,
            theme_title=theme.title,
            owner=draft.owner,
            objective=" ".join(draft.objective.split()),
            status="running",
            start_date=draft.start,
            end_date=draft.end,
            pulse=draft.pulse,
            participants=list(draft.participants),
            include_reporters=draft.include_reporters,
            created_by=created_by[:32],
            created_at=now,
            updated_at=now,
        )
        session.add(pilot)
        session.flush()
        for position, kpi in enumerate(draft.kpis):
            session.add(
                PilotKpi(
                    pilot_id=pilot.id,
                    name=kpi.name,
                    kind=kpi.kind,
                    unit=kpi.unit,
                    baseline=draft.baselines.get(kpi.name),
                    target=draft.targets.get(kpi.name),
                    position=position,
                )
            )
        audience = _audience(pilot, closing=False)
        if audience:
            open_campaign(
                session, outbox_key("pilot-start", pilot.id), audience, once_now(now), now
            )
            schedule = pulse_schedule(draft.pulse, draft.start, draft.end, now)
            if schedule is not None and next_expansion(schedule, None) is not None:
                pilot.pulse_campaign_id = open_campaign(
                    session, outbox_key("pulse", pilot.id), audience, schedule, now
                )
        set_theme_status(session, theme, "piloting", created_by, now, pilot.id)
        return pilot

    def log_value(
        self, pilot_id: int, kpi_name: str, value: float, *, on: date | None, actor: str
    ) -> PilotView:
        """Record a custom KPI's value for a day (today by default)."""
        with (
            writer_lock(self._session_factory),
            self._session_factory() as session,
            session.begin(),
        ):
            _existing(session, pilot_id)
            kpi = session.scalar(
                select(PilotKpi).where(
                    PilotKpi.pilot_id == pilot_id, PilotKpi.name == " ".join(kpi_name.split())
                )
            )
            if kpi is None:
                names = session.scalars(
                    select(PilotKpi.name).where(PilotKpi.pilot_id == pilot_id)
                ).all()
                raise PilotError(
                    f"unknown KPI {kpi_name!r} for pilot #{pilot_id}; it has {', '.join(names)}"
                )
            if kpi.kind != "custom":
                raise PilotError(f"KPI {kpi.name!r} is measured by painpoint itself")
            session.add(
                PilotKpiValue(
                    kpi_id=kpi.id,
                    value=value,
                    on_date=on or self.today(),
                    logged_by=actor[:32],
                    logged_at=self._clock(),
                )
            )
        view = self.get(pilot_id)
        assert view is not None
        return view

    def set_kpis(
        self, pilot_id: int, edits: Mapping[str, Mapping[str, float | None]], *, actor: str
    ) -> PilotView:
        """Change KPIs' baselines and targets: `{kpi: {"baseline": 5, "target": None}}`.

        Only the keys given change; None clears a value (a built-in KPI's baseline then
        comes from the theme's history again). A closed pilot keeps its numbers."""
        now = self._clock()
        with (
            writer_lock(self._session_factory),
            self._session_factory() as session,
            session.begin(),
        ):
            pilot = _existing(session, pilot_id)
            if pilot.status == "closed":
                raise PilotError(f"pilot #{pilot_id} is closed; its numbers stay as they were")
            kpis = {
                kpi.name: kpi
                for kpi in session.scalars(select(PilotKpi).where(PilotKpi.pilot_id == pilot_id))
            }
            changed: dict[str, dict[str, float | None]] = {}
            for raw_name, values in edits.items():
                kpi = kpis.get(" ".join(raw_name.split()))
                if kpi is None:
                    raise PilotError(
                        f"unknown KPI {raw_name!r} for pilot #{pilot_id}; it has {', '.join(kpis)}"
                    )
                for field, value in values.items():
                    if getattr(kpi, field) != value:
                        setattr(kpi, field, value)
                        changed.setdefault(kpi.name, {})[field] = value
            if changed:
                pilot.updated_at = now
                theme = session.get(Theme, pilot.theme_id) if pilot.theme_id else None
                if theme is not None:
                    session.add(
                        ThemeEvent(
                            theme_id=theme.id,
                            kind="pilot_kpis",
                            detail={"pilot": pilot_id, "kpis": changed},
                            actor=actor[:32],
                            created_at=now,
                        )
                    )
        view = self.get(pilot_id)
        assert view is not None
        return view

    def close(
        self,
        pilot_id: int,
        *,
        verdict: str,
        note: str | None,
        actor: str,
        claim_key: str | None = None,
    ) -> CloseResult:
        """Close with a verdict: the theme's status follows, pulses stop, and one closing DM
        goes to the participants and the theme's opted-in reporters."""
        if verdict not in VERDICTS:
            raise PilotError(f"unknown verdict {verdict!r}: use scale, iterate or stop")
        note = " ".join((note or "").split()) or None
        if note is not None and len(note) > MAX_NOTE:
            raise PilotError(f"keep the note under {MAX_NOTE} characters")
        now = self._clock()
        status = None
        with writer_lock(self._session_factory), self._session_factory() as session:
            try:
                with session.begin():
                    _claim(session, claim_key, now)
                    pilot = _existing(session, pilot_id)
                    if pilot.status == "closed":
                        raise PilotError(
                            f"pilot #{pilot_id} is already closed "
                            f"({pilot.verdict} on {pilot.closed_at:%Y-%m-%d})"
                        )
                    pilot.status, pilot.verdict, pilot.note = "closed", verdict, note
                    pilot.closed_at, pilot.closed_by, pilot.updated_at = now, actor[:32], now
                    cancel_campaign(session, pilot.pulse_campaign_id, now)
                    # The theme's reporters hear of the verdict only while managers may see
                    # the theme: the closing DM names it.
                    shown = pilot.theme_id is not None and (
                        self._visible_theme(session, pilot.theme_id) is not None
                    )
                    audience = _audience(pilot, closing=True, theme_shown=shown)
                    if audience:
                        pilot.closing_campaign_id = open_campaign(
                            session,
                            outbox_key("pilot-close", pilot.id),
                            audience,
                            once_now(now),
                            now,
                        )
                    theme = session.get(Theme, pilot.theme_id) if pilot.theme_id else None
                    if theme is not None and theme.active:
                        status = VERDICT_STATUS[verdict]
                        set_theme_status(session, theme, status, actor, now, pilot.id)
            except IntegrityError:
                raise AlreadyDone from None
        view = self.get(pilot_id)
        assert view is not None
        return CloseResult(view, status)

    def may_manage(self, pilot_id: int, user_id: str) -> bool:
        """The owner may log values and close their own pilot (managers may do anything)."""
        with self._session_factory() as session:
            return session.scalar(select(Pilot.owner).where(Pilot.id == pilot_id)) == user_id


def _existing(session: Session, pilot_id: int) -> Pilot:
    pilot = session.get(Pilot, pilot_id)
    if pilot is None:
        raise PilotError(f"there is no pilot #{pilot_id}")
    return pilot


def _audience(pilot: Pilot, *, closing: bool, theme_shown: bool = True) -> list[str]:
    # The closing DM reaches the theme's opted-in reporters (they asked to hear) unless the
    # theme has fallen below the minimum-reporter rule.
    entries = list(pilot.participants or [])
    if pilot.theme_id is not None and theme_shown and (pilot.include_reporters or closing):
        entries.append(f"theme:{pilot.theme_id}")
    return entries


def _claim(session: Session, key: str | None, now: datetime) -> None:
    if key is not None:
        session.add(RequestClaim(key=key[:200], claimed_at=now))
        session.flush()
