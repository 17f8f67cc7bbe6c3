"""Managers correct themes — rename, merge, split, move — each logged with who and when, and
each kept across a re-clustering."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.db.models import PainPoint, Theme, ThemeEvent
from bot.db.session import SessionFactory
from bot.services.embeddings import EmbeddingService
from bot.services.theme_corrections import CorrectionError, ThemeCorrections
from bot.services.themes import CORRECTED_DURING_RUN, RECLUSTER_ATTEMPTS, ThemeService
from clustering.pipeline import ClusteringResult, ThemePipeline
from tests.bot.services.test_themes import MODEL, _add_reports, _assignments, _NoEmbedder, _service


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
        lambda c, t, sf: c.rename(theme_id=t[0], title="   ", actor="U"),
        lambda c, t, sf: c.rename(theme_id=999_999, title="x", actor="U"),
        lambda c, t, sf: c.merge(into=t[0], others=[t[0]], actor="U"),
        lambda c, t, sf: c.merge(into=t[0], others=[999_999], actor="U"),
        lambda c, t, sf: c.move(painpoint_id=999_999, theme_id=t[0], actor="U"),
        lambda c, t, sf: c.split(theme_id=999_999, actor="U"),
    ],
)
def test_impossible_corrections_are_refused_with_one_line(
    session_factory: SessionFactory, clustered: list[int], attempt: object
) -> None:
    before = _assignments(session_factory)
    with pytest.raises(CorrectionError) as refused:
        attempt(corrections(session_factory), clustered, session_factory)  # type: ignore[operator]
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


def test_a_split_off_part_the_engine_would_rejoin_is_not_logged_or_treated_as_merged(
    session_factory: SessionFactory, clustered: list[int]
) -> None:
    # One topic split in two: the engine sees one cluster, but the manager's split holds.
    result = corrections(session_factory).split(theme_id=clustered[0], actor="UMANAGER")
    split_off = result.theme_ids[1]
    parts = members(session_factory, clustered[0]), members(session_factory, split_off)
    past_retention = min(parts[1])
    with session_factory() as session, session.begin():
        row = session.get(PainPoint, past_retention)
        assert row is not None
        row.text_removed_at = row.created_at

    _service(session_factory).recluster()

    assert events(session_factory, "merged") == []
    assert members(session_factory, split_off) == parts[1]
    assert _assignments(session_factory)[past_retention] == split_off
    assert split_off in themes(session_factory)


def _correcting_service(
    session_factory: SessionFactory, correct: Callable[[int], object]
) -> tuple[ThemeService, list[int]]:
    """A theme service whose engine run is interrupted by a manager's correction: ``correct``
    gets the number of the fit (0, 1, …) and may change themes while the engine runs."""
    fits: list[int] = []

    class CorrectedMidway(ThemePipeline):
        def fit(self, *args: Any, **kwargs: Any) -> ClusteringResult:
            result = super().fit(*args, **kwargs)
            correct(len(fits))
            fits.append(len(fits))
            return result

    embeddings = EmbeddingService(session_factory, _NoEmbedder, model_name=MODEL)
    return ThemeService(session_factory, embeddings, CorrectedMidway), fits


def test_a_correction_made_while_the_engine_runs_is_not_lost(
    session_factory: SessionFactory, clustered: list[int]
) -> None:
    made: list[int] = []

    def split_once(fit: int) -> None:
        if fit == 0:
            result = corrections(session_factory).split(theme_id=clustered[0], actor="UMANAGER")
            made.append(result.theme_ids[1])

    service, fits = _correcting_service(session_factory, split_once)

    summary = service.recluster()

    assert fits == [0, 1]  # the first run saw the themes before the split: clustered again
    assert summary.enough_data
    [split_off] = made
    parts = members(session_factory, clustered[0]), members(session_factory, split_off)
    assert parts[0] and parts[1] and split_off in themes(session_factory)
    _service(session_factory).recluster()
    assert (members(session_factory, clustered[0]), members(session_factory, split_off)) == parts


def test_a_run_corrected_every_time_writes_nothing_and_keeps_the_corrections(
    session_factory: SessionFactory, clustered: list[int]
) -> None:
    report = min(members(session_factory, clustered[0]))
    targets = [clustered[1], clustered[2]]

    def move_again(fit: int) -> None:
        corrections(session_factory).move(
            painpoint_id=report, theme_id=targets[fit % 2], actor="UMANAGER"
        )

    service, fits = _correcting_service(session_factory, move_again)

    summary = service.recluster()

    assert len(fits) == RECLUSTER_ATTEMPTS
    assert not summary.enough_data and summary.message == CORRECTED_DURING_RUN
    assert _assignments(session_factory)[report] == targets[(RECLUSTER_ATTEMPTS - 1) % 2]


def test_a_split_says_how_many_reports_moved_only_when_both_parts_pass_the_rule(
    session_factory: SessionFactory, clustered: list[int]
) -> None:
    service = corrections(session_factory)
    wide = service.split(theme_id=clustered[0], actor="UMANAGER")
    assert "reports are now theme" in wide.message  # 30 reporters: both parts pass

    with session_factory() as session, session.begin():
        session.execute(
            update(PainPoint).where(PainPoint.theme_id == clustered[1]).values(reporter="r-one")
        )
    narrow = ThemeCorrections(session_factory, min_reporters=3).split(
        theme_id=clustered[1], actor="UMANAGER"
    )

    assert (
        narrow.message
        == f"Theme #{clustered[1]} is split; the new part is theme #{narrow.theme_ids[1]}."
    )


def test_a_split_refuses_when_the_theme_changed_while_its_parts_were_found(
    session_factory: SessionFactory, clustered: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.services.theme_corrections as module

    find_parts = module._two_parts
    report = min(members(session_factory, clustered[0]))

    def parts_while_someone_moves_a_report(vectors: Any) -> Any:
        labels = find_parts(vectors)
        corrections(session_factory).move(painpoint_id=report, theme_id=clustered[1], actor="U2")
        return labels

    monkeypatch.setattr(module, "_two_parts", parts_while_someone_moves_a_report)

    with pytest.raises(CorrectionError, match="changed while it was split; try again"):
        corrections(session_factory).split(theme_id=clustered[0], actor="UMANAGER")
    assert events(session_factory, "split") == []
    assert _assignments(session_factory)[report] == clustered[1]


def test_moving_a_report_to_its_own_theme_pins_it_there_and_twice_is_refused(
    session_factory: SessionFactory, clustered: list[int]
) -> None:
    report = min(members(session_factory, clustered[0]))
    service = corrections(session_factory)

    kept = service.move(painpoint_id=report, theme_id=clustered[0], actor="UMANAGER")

    assert kept.message == f"Report #{report} stays in theme #{clustered[0]} for good."
    assert events(session_factory, "moved_in") == []  # it did not move
    [event] = events(session_factory, "kept")
    assert event.actor == "UMANAGER" and event.detail == {"report": report}
    with session_factory() as session:
        row = session.get(PainPoint, report)
        assert row is not None and row.pinned_theme_id == clustered[0]
    with pytest.raises(CorrectionError, match="already in theme"):
        service.move(painpoint_id=report, theme_id=clustered[0], actor="UMANAGER")
