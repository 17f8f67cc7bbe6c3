"""Managers correct themes — rename, merge, split, move — each logged with who and when, and
each kept across a re-clustering."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import PainPoint, Theme, ThemeEvent
from bot.db.session import SessionFactory
from bot.services.theme_corrections import CorrectionError, ThemeCorrections
from tests.bot.services.test_themes import _add_reports, _assignments, _service


@pytest.fixture
def clustered(session_factory: SessionFactory) -> list[int]:
    _add_reports(session_factory, per_topic=30, seed=1)
    assert _service(session_factory).recluster().themes == 4
    return themes(session_factory)


def themes(session_factory: SessionFactory) -> list[int]:
    with session_factory() as session:
        return sorted(session.scalars(select(Theme.id).where(Theme.active.is_(True))).all())


def members(session_factory: SessionFactory, theme_id: int) -> set[int]:
    return {item for item, theme in _assignments(session_factory).items() if theme == theme_id}


def events(session_factory: SessionFactory, kind: str) -> list[ThemeEvent]:
    with session_factory() as session:
        return list(session.scalars(select(ThemeEvent).where(ThemeEvent.kind == kind)))


def corrections(session_factory: SessionFactory) -> ThemeCorrections:
    return ThemeCorrections(session_factory, min_reporters=3)


def test_a_merge_is_logged_and_stays_merged_after_reclustering(
    session_factory: SessionFactory, clustered: list[int]
) -> None:
    first, second = clustered[0], clustered[1]
    together = members(session_factory, first) | members(session_factory, second)

    corrections(session_factory).merge(into=first, others=[second], actor="UMANAGER")

    assert members(session_factory, first) == together
    [merged] = events(session_factory, "merged")
    assert merged.theme_id == second and merged.actor == "UMANAGER"
    assert merged.detail["into"] == first
    _service(session_factory).recluster()
    assert members(session_factory, first) == together
    assert second not in themes(session_factory)


def test_a_moved_report_stays_moved_after_reclustering(
    session_factory: SessionFactory, clustered: list[int]
) -> None:
    report = min(members(session_factory, clustered[0]))

    corrections(session_factory).move(painpoint_id=report, theme_id=clustered[2], actor="UM")

    assert _assignments(session_factory)[report] == clustered[2]
    _service(session_factory).recluster()
    assert _assignments(session_factory)[report] == clustered[2]
    assert {event.actor for event in events(session_factory, "moved_in")} == {"UM"}
    assert [event.theme_id for event in events(session_factory, "moved_out")] == [clustered[0]]


def test_a_split_makes_two_themes_that_survive_reclustering(
    session_factory: SessionFactory, clustered: list[int]
) -> None:
    first, second = clustered[0], clustered[1]
    service = corrections(session_factory)
    service.merge(into=first, others=[second], actor="UMANAGER")
    both = members(session_factory, first)

    result = service.split(theme_id=first, actor="UMANAGER")

    new = result.theme_ids[1]
    parts = members(session_factory, first), members(session_factory, new)
    assert parts[0] | parts[1] == both and not parts[0] & parts[1]
    assert min(len(parts[0]), len(parts[1])) >= 25  # the two original topics come apart
    _service(session_factory).recluster()
    assert (members(session_factory, first), members(session_factory, new)) == parts
    with session_factory() as session:
        theme = session.get(Theme, new)
        assert theme is not None and theme.active and theme.title
    assert [event.actor for event in events(session_factory, "split")] == ["UMANAGER"]


def test_a_managers_title_is_logged_and_never_overwritten(
    session_factory: SessionFactory, clustered: list[int]
) -> None:
    corrections(session_factory).rename(
        theme_id=clustered[0], title="  VPN drops   during calls ", actor="UMANAGER"
    )
    _service(session_factory).recluster()

    with session_factory() as session:
        theme = session.get(Theme, clustered[0])
        assert theme is not None and theme.title == "VPN drops during calls"
    [event] = events(session_factory, "retitled")
    assert event.actor == "UMANAGER" and event.detail["to"] == "VPN drops during calls"


@pytest.mark.parametrize(
    "attempt",
    [
        lambda c, t: c.rename(theme_id=t[0], title="   ", actor="U"),
        lambda c, t: c.rename(theme_id=999_999, title="x", actor="U"),
        lambda c, t: c.merge(into=t[0], others=[t[0]], actor="U"),
        lambda c, t: c.merge(into=t[0], others=[999_999], actor="U"),
        lambda c, t: c.move(painpoint_id=999_999, theme_id=t[0], actor="U"),
        lambda c, t: c.split(theme_id=999_999, actor="U"),
    ],
)
def test_impossible_corrections_are_refused_with_one_line(
    session_factory: SessionFactory, clustered: list[int], attempt: object
) -> None:
    before = _assignments(session_factory)
    with pytest.raises(CorrectionError) as refused:
        attempt(corrections(session_factory), clustered)  # type: ignore[operator]
    assert "\n" not in str(refused.value) and str(refused.value)
    assert _assignments(session_factory) == before


def test_new_reports_join_by_the_learned_threshold_and_one_offs_wait(
    session_factory: SessionFactory, clustered: list[int]
) -> None:
    with session_factory() as session:
        thresholds = session.scalars(select(Theme.join_threshold)).all()
        pinned = session.scalars(select(PainPoint.pinned_theme_id)).all()
    assert all(isinstance(value, float) for value in thresholds)
    assert set(pinned) == {None}  # the engine pins nothing; only managers do
