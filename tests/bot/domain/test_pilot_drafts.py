"""Pilot drafts: KPI specs, targets, dates, participants, and the pulse schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.occurrences import occurrences
from bot.domain.pilots import (
    KpiSpec,
    PilotDraft,
    PilotError,
    outbox_kind,
    parse_assignments,
    parse_kpi,
    parse_participants,
    pulse_schedule,
)


def draft(**changes: object) -> PilotDraft:
    values: dict[str, object] = {
        "theme_id": 1,
        "owner": "UOWNER",
        "objective": "Supplier portal instead of e-mail",
        "kpis": (parse_kpi("reports"), parse_kpi("custom:cycle time:days")),
        "start": date(2026, 3, 2),
        "end": date(2026, 4, 27),
    }
    values.update(changes)
    return PilotDraft(**values)  # type: ignore[arg-type]


def test_kpis_are_built_in_or_custom() -> None:
    assert parse_kpi("reports") == KpiSpec("reports", "reports", "reports/week")
    assert parse_kpi("hours").unit == "h/week per person"
    assert parse_kpi("custom:cycle  time:days") == KpiSpec("cycle time", "custom", "days")


@pytest.mark.parametrize("spec", ["nps", "custom:", "custom:x", "custom::days", "custom:hours:h"])
def test_an_unknown_kpi_is_refused_in_one_line(spec: str) -> None:
    with pytest.raises(PilotError) as caught:
        parse_kpi(spec)
    assert "\n" not in str(caught.value)


def test_targets_name_a_kpi_and_a_number() -> None:
    assert parse_assignments(["reports=3", "cycle time=2,5"], "--target") == {
        "reports": 3.0,
        "cycle time": 2.5,
    }
    with pytest.raises(PilotError, match="is not KPI=NUMBER"):
        parse_assignments(["reports=many"], "--target")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"targets": {"hours": 1.0}}, "a target for KPI 'hours', which this pilot does not have"),
        ({"end": date(2026, 3, 1)}, "the end 2026-03-01 is before the start 2026-03-02"),
        ({"owner": "bob"}, "owner 'bob' is not a Slack user id"),
        ({"objective": "  "}, "give the pilot an objective"),
        ({"kpis": ()}, "a pilot needs at least one KPI"),
        ({"pulse": "hourly"}, "unknown pulse schedule 'hourly'"),
    ],
)
def test_a_draft_refuses_what_cannot_work(changes: dict[str, object], message: str) -> None:
    with pytest.raises(PilotError, match=message):
        draft(**changes).check()


def test_participants_are_users_and_user_groups() -> None:
    assert parse_participants(["U1AB,S2CD", "<@U1AB> u3ef"]) == ["U1AB", "S2CD", "U3EF"]
    with pytest.raises(PilotError, match="not a user"):
        parse_participants(["C123"])


def test_pulses_go_out_weekly_in_local_working_hours_between_start_and_end() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    schedule = pulse_schedule("weekly", date(2026, 3, 2), date(2026, 3, 20), now)
    assert schedule is not None and schedule.local_time and schedule.skip_weekends

    found = occurrences(schedule, after=None, until=datetime(2026, 12, 31, tzinfo=UTC))

    assert [o.wall for o in found] == [
        datetime(2026, 3, 6, 15, 0),
        datetime(2026, 3, 13, 15, 0),
        datetime(2026, 3, 20, 15, 0),
    ]
    assert pulse_schedule("off", date(2026, 3, 2), date(2026, 3, 20), now) is None


def test_outbox_keys_name_the_message_and_the_pilot() -> None:
    assert outbox_kind("pulse:12") == ("pulse", 12)
    assert outbox_kind("pilot-close:3") == ("pilot-close", 3)
    assert outbox_kind("keep-data-safe") is None
