"""Unit tests of the capture service on real databases, with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.db.session import SessionFactory
from bot.domain.capture import (
    MAX_DETAILS_LENGTH,
    CaptureLimits,
    CaptureResult,
    Outcome,
    PainPointInput,
    normalise_for_dedupe,
    text_fingerprint,
)
from bot.privacy.pseudonym import reporter_pseudonym
from bot.services.capture import CaptureService
from tests.conftest import SECRET_KEY
from tests.stored import count_events, count_painpoints, painpoints

KEY = SECRET_KEY  # the privacy step in tests/stored.py opens sealed text with it
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def recorded_ids() -> list[int]:
    return []


@pytest.fixture
def service(
    session_factory: SessionFactory, clock: Clock, recorded_ids: list[int]
) -> CaptureService:
    return CaptureService(
        session_factory, secret_key=KEY, clock=clock, on_recorded=recorded_ids.append
    )


def report(text: str, source: str = "slash", **fields: Any) -> PainPointInput:
    return PainPointInput(text=text, source=source, **fields)


def record(
    service: CaptureService,
    text: str,
    user: str = "U100",
    *,
    event_id: str | None = None,
    thread_ts: str | None = None,
    **fields: Any,
) -> CaptureResult:
    return service.record(
        team_id="T1",
        user_id=user,
        submission=report(text, **fields),
        event_id=event_id,
        thread_ts=thread_ts,
    )


# --- recording -----------------------------------------------------------------------------


def test_record_stores_scrubbed_text_under_a_pseudonym(
    service: CaptureService, session_factory: SessionFactory, recorded_ids: list[int]
) -> None:
    result = record(service, "  Ask bob@example.com for the export  ", category="data_gap")

    assert result.outcome is Outcome.RECORDED
    assert result.painpoint is not None
    [row] = painpoints(session_factory)
    assert result.painpoint.id == row.id
    assert row.text == result.painpoint.text == "Ask [email] for the export"
    assert row.text_hash == text_fingerprint("Ask [email] for the export")
    assert row.reporter == reporter_pseudonym(KEY, "T1", "U100") == service.pseudonym("T1", "U100")
    assert row.category == "data_gap"
    assert result.painpoint.created_at == START
    assert recorded_ids == [row.id]


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_is_not_stored(
    service: CaptureService, session_factory: SessionFactory, text: str
) -> None:
    assert record(service, text).outcome is Outcome.EMPTY
    assert count_painpoints(session_factory) == 0


def test_text_over_the_limit_is_not_stored_and_the_limit_itself_is(
    service: CaptureService, session_factory: SessionFactory
) -> None:
    assert record(service, "a" * 4001).outcome is Outcome.TOO_LONG
    assert record(service, "b" * 4000).outcome is Outcome.RECORDED
    assert count_painpoints(session_factory) == 1


def test_the_limit_is_measured_on_the_text_as_sent(
    service: CaptureService, session_factory: SessionFactory
) -> None:
    # Scrubbing would shorten it, but the reporter sent more than the limit.
    assert record(service, "x@example.com " * 300).outcome is Outcome.TOO_LONG
    assert count_painpoints(session_factory) == 0


# --- duplicates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "again", ["The VPN drops", "the vpn drops.", "  THE   VPN\ndrops!!", "The VPN drops?"]
)
def test_same_text_within_24_hours_is_a_duplicate(
    service: CaptureService, session_factory: SessionFactory, clock: Clock, again: str
) -> None:
    first = record(service, "The VPN drops")
    clock.advance(hours=23, minutes=59)

    second = record(service, again)

    assert second.outcome is Outcome.DUPLICATE
    assert second.painpoint is not None and first.painpoint is not None
    assert second.painpoint.id == first.painpoint.id
    assert count_painpoints(session_factory) == 1


def test_same_text_after_24_hours_is_recorded_again(
    service: CaptureService, session_factory: SessionFactory, clock: Clock
) -> None:
    record(service, "The VPN drops")
    clock.advance(hours=24, minutes=1)
    assert record(service, "The VPN drops").outcome is Outcome.RECORDED
    assert count_painpoints(session_factory) == 2


def test_same_text_from_another_reporter_is_not_a_duplicate(
    service: CaptureService, session_factory: SessionFactory
) -> None:
    record(service, "The VPN drops")
    assert record(service, "The VPN drops", user="U200").outcome is Outcome.RECORDED
    assert count_painpoints(session_factory) == 2


def test_a_duplicate_does_not_notify_the_theme_engine(
    service: CaptureService, recorded_ids: list[int]
) -> None:
    record(service, "The VPN drops")
    record(service, "The VPN drops")
    assert len(recorded_ids) == 1


def test_normalisation_ignores_case_space_and_trailing_punctuation() -> None:
    assert normalise_for_dedupe("  The  VPN\tdrops!?. ") == "the vpn drops"
    assert text_fingerprint("The VPN drops") == text_fingerprint("the vpn drops…")
    assert text_fingerprint("The VPN drops") != text_fingerprint("The VPN stops")


# --- rate limit ----------------------------------------------------------------------------


def test_the_31st_report_within_an_hour_is_refused(
    service: CaptureService, session_factory: SessionFactory, clock: Clock
) -> None:
    for n in range(30):
        assert record(service, f"Problem number {n}").outcome is Outcome.RECORDED
        clock.advance(minutes=1)

    refused = record(service, "Problem number 30")

    assert refused.outcome is Outcome.RATE_LIMITED
    assert refused.painpoint is None
    assert count_painpoints(session_factory) == 30
    assert record(service, "Someone else's problem", user="U200").outcome is Outcome.RECORDED

    clock.advance(minutes=31)  # the first reports are now more than an hour old
    assert record(service, "Problem number 30").outcome is Outcome.RECORDED


def test_the_rate_limit_is_configurable(session_factory: SessionFactory, clock: Clock) -> None:
    service = CaptureService(
        session_factory, secret_key=KEY, clock=clock, limits=CaptureLimits(per_hour=2)
    )
    assert record(service, "one").outcome is Outcome.RECORDED
    assert record(service, "two").outcome is Outcome.RECORDED
    assert record(service, "three").outcome is Outcome.RATE_LIMITED


# --- Slack event ids -----------------------------------------------------------------------


def test_the_same_event_id_never_stores_twice(
    service: CaptureService, session_factory: SessionFactory, clock: Clock
) -> None:
    assert record(service, "Deploys are manual", event_id="Ev1").outcome is Outcome.RECORDED
    clock.advance(days=2)  # past the duplicate window: only the event id protects
    assert record(service, "Deploys are manual", event_id="Ev1").outcome is Outcome.REPLAYED
    assert record(service, "Other text", user="U200", event_id="Ev1").outcome is Outcome.REPLAYED
    assert count_painpoints(session_factory) == 1
    assert count_events(session_factory) == 1


def test_a_refused_duplicate_still_claims_its_event_id(
    service: CaptureService, session_factory: SessionFactory
) -> None:
    record(service, "Deploys are manual", event_id="Ev1")
    assert record(service, "Deploys are manual", event_id="Ev2").outcome is Outcome.DUPLICATE
    assert record(service, "Deploys are manual", event_id="Ev2").outcome is Outcome.REPLAYED
    assert count_painpoints(session_factory) == 1


# --- amending ------------------------------------------------------------------------------


def test_amend_replaces_the_fields_of_the_reporters_own_pain_point(
    service: CaptureService, session_factory: SessionFactory, clock: Clock
) -> None:
    first = record(service, "Reports by hand")
    assert first.painpoint is not None
    clock.advance(minutes=5)

    result = service.amend(
        team_id="T1",
        user_id="U100",
        painpoint_id=first.painpoint.id,
        submission=report(
            "Weekly reports by hand, ask <@U9>",
            source="modal",
            frequency="weekly",
            hours_per_week=2.0,
            team="  Sales   EMEA ",
            keep_posted=True,
        ),
    )

    assert result.outcome is Outcome.UPDATED
    [row] = painpoints(session_factory)
    assert row.text == "Weekly reports by hand, ask [mention]"
    assert row.source == "slash"  # where it came from does not change
    assert (row.frequency, row.hours_per_week, row.team) == ("weekly", 2.0, "Sales EMEA")
    assert (row.keep_posted, row.notify_user_id) == (True, "U100")
    assert row.updated_at.replace(tzinfo=UTC) == clock.now

    service.amend(
        team_id="T1",
        user_id="U100",
        painpoint_id=row.id,
        submission=report("Weekly reports by hand", keep_posted=False),
    )
    [row] = painpoints(session_factory)
    assert (row.keep_posted, row.notify_user_id) == (False, None)


def test_amend_of_someone_elses_or_a_missing_pain_point_is_not_found(
    service: CaptureService, session_factory: SessionFactory
) -> None:
    first = record(service, "Reports by hand")
    assert first.painpoint is not None
    for user, number in (("U200", first.painpoint.id), ("U100", 999)):
        result = service.amend(
            team_id="T1", user_id=user, painpoint_id=number, submission=report("Hijacked")
        )
        assert result.outcome is Outcome.NOT_FOUND
    assert [row.text for row in painpoints(session_factory)] == ["Reports by hand"]


def test_amend_checks_the_text_like_a_new_report(service: CaptureService) -> None:
    first = record(service, "Reports by hand")
    assert first.painpoint is not None
    for text, outcome in (("  ", Outcome.EMPTY), ("a" * 4001, Outcome.TOO_LONG)):
        result = service.amend(
            team_id="T1", user_id="U100", painpoint_id=first.painpoint.id, submission=report(text)
        )
        assert result.outcome is outcome


# --- thread details ------------------------------------------------------------------------


def test_add_detail_appends_to_the_pain_point_of_the_thread(
    service: CaptureService, session_factory: SessionFactory
) -> None:
    record(service, "Close takes days", thread_ts="100.1", source="dm")
    for detail in ("Reconciling by hand", "call 555-0134"):
        result = service.add_detail(
            team_id="T1", user_id="U100", thread_ts="100.1", text=detail, event_id=None
        )
        assert result.outcome is Outcome.UPDATED
    [row] = painpoints(session_factory)
    assert row.details == "Reconciling by hand\ncall [phone]"


def test_add_detail_without_a_pain_point_leaves_the_event_id_for_a_new_one(
    service: CaptureService, session_factory: SessionFactory
) -> None:
    result = service.add_detail(
        team_id="T1", user_id="U100", thread_ts="100.1", text="A new problem", event_id="Ev9"
    )
    assert result.outcome is Outcome.NOT_FOUND

    recorded = record(service, "A new problem", thread_ts="100.1", event_id="Ev9", source="dm")
    assert recorded.outcome is Outcome.RECORDED
    assert count_painpoints(session_factory) == 1


def test_add_detail_only_finds_the_reporters_own_thread(
    service: CaptureService, session_factory: SessionFactory
) -> None:
    record(service, "Close takes days", thread_ts="100.1", source="dm")
    result = service.add_detail(
        team_id="T1", user_id="U200", thread_ts="100.1", text="Not mine", event_id=None
    )
    assert result.outcome is Outcome.NOT_FOUND
    assert painpoints(session_factory)[0].details is None


def test_add_detail_replayed_and_overflowing(
    service: CaptureService, session_factory: SessionFactory
) -> None:
    record(service, "Close takes days", thread_ts="100.1", source="dm")

    def add(text: str, event_id: str) -> Outcome:
        return service.add_detail(
            team_id="T1", user_id="U100", thread_ts="100.1", text=text, event_id=event_id
        ).outcome

    assert add("detail", "EvA") is Outcome.UPDATED
    assert add("detail", "EvA") is Outcome.REPLAYED
    chunk = "d" * 4000
    outcomes = [add(chunk, f"EvB{n}") for n in range(MAX_DETAILS_LENGTH // 4000 + 1)]
    assert outcomes[-1] is Outcome.TOO_LONG
    [row] = painpoints(session_factory)
    assert len(row.details or "") <= MAX_DETAILS_LENGTH


# --- listing and erasing -------------------------------------------------------------------


def test_list_mine_is_own_newest_first_and_limited(service: CaptureService, clock: Clock) -> None:
    for n in range(5):
        record(service, f"Mine {n}")
        record(service, f"Theirs {n}", user="U200")
        clock.advance(minutes=1)

    mine = service.list_mine(team_id="T1", user_id="U100", limit=3)

    assert [item.text for item in mine] == ["Mine 4", "Mine 3", "Mine 2"]
    assert all(item.created_at.tzinfo is not None for item in mine)
    assert service.list_mine(team_id="T2", user_id="U100") == []


def test_delete_erases_only_the_reporters_own(
    service: CaptureService, session_factory: SessionFactory
) -> None:
    mine = record(service, "Mine")
    theirs = record(service, "Theirs", user="U200")
    assert mine.painpoint is not None and theirs.painpoint is not None

    assert service.delete(team_id="T1", user_id="U100", painpoint_id=theirs.painpoint.id) is False
    assert service.delete(team_id="T1", user_id="U100", painpoint_id=999) is False
    assert service.delete(team_id="T1", user_id="U100", painpoint_id=mine.painpoint.id) is True
    assert service.delete(team_id="T1", user_id="U100", painpoint_id=mine.painpoint.id) is False
    assert [row.text for row in painpoints(session_factory)] == ["Theirs"]


def test_get_own_returns_only_the_reporters_own(service: CaptureService) -> None:
    mine = record(service, "Mine")
    assert mine.painpoint is not None
    assert service.get_own(team_id="T1", user_id="U100", painpoint_id=mine.painpoint.id)
    assert service.get_own(team_id="T1", user_id="U200", painpoint_id=mine.painpoint.id) is None


def test_own_reports_show_their_theme_status(session_factory) -> None:  # type: ignore[no-untyped-def]
    from bot.db.models import PainPoint, Theme
    from bot.domain.capture import PainPointInput
    from bot.services.capture import CaptureService

    service = CaptureService(session_factory, secret_key="k" * 20)
    first = service.record(
        team_id="T1", user_id="U1", submission=PainPointInput("VPN drops", "slash")
    )
    second = service.record(
        team_id="T1", user_id="U1", submission=PainPointInput("Invoices by hand", "slash")
    )
    assert first.painpoint is not None and second.painpoint is not None
    with session_factory() as session, session.begin():
        theme = Theme(title="VPN", status="piloting", keywords=[])
        session.add(theme)
        session.flush()
        row = session.get(PainPoint, first.painpoint.id)
        assert row is not None
        row.theme_id = theme.id
    statuses = {view.id: view.status for view in service.list_mine(team_id="T1", user_id="U1")}
    assert statuses == {first.painpoint.id: "piloting", second.painpoint.id: "received"}
