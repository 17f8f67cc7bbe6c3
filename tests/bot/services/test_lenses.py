"""Lenses on stored reports: the reporter's choice, a suggestion from the embedding, a
manager's override, and every surface counting reports under their lens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import select

from bot.db.models import PainPoint, ThemeEvent
from bot.db.session import SessionFactory
from bot.domain.lenses import LENS_DESCRIPTIONS, LENSES
from bot.services.embeddings import to_bytes
from bot.services.insights import ThemeInsights
from bot.services.lenses import LensError, LensSuggester
from tests.bot.reporting.factories import add_painpoint, seed_theme

MODEL = "test-vectors"


class LensEmbedder:
    """Puts each lens's descriptions, and texts tagged `[lens]`, on that lens's own axis."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.full((len(texts), len(LENSES)), 0.01, dtype=np.float32)
        for row, text in enumerate(texts):
            for column, key in enumerate(LENSES):
                if text in LENS_DESCRIPTIONS[key] or f"[{key}]" in text:
                    vectors[row, column] = 1.0
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def suggester(session_factory: SessionFactory) -> LensSuggester:
    return LensSuggester(session_factory, LensEmbedder, model_name=MODEL)


def embedded(session_factory: SessionFactory, text: str, **kwargs: object) -> int:
    vector = LensEmbedder().embed([text])[0]
    row_id = add_painpoint(session_factory, text=text, reporter=text, **kwargs)  # type: ignore[arg-type]
    with session_factory() as session, session.begin():
        row = session.get(PainPoint, row_id)
        assert row is not None
        row.embedding, row.embedding_model = to_bytes(vector), MODEL
    return row_id


def lenses(session_factory: SessionFactory) -> dict[int, tuple[str | None, str | None]]:
    with session_factory() as session:
        rows = session.execute(select(PainPoint.id, PainPoint.lens, PainPoint.lens_source))
        return {row_id: (lens, source) for row_id, lens, source in rows}


def test_reports_get_the_reporters_lens_or_a_suggestion(session_factory: SessionFactory) -> None:
    chosen = embedded(session_factory, "typing [repetitive_task]", category="data_gap")
    legacy = add_painpoint(session_factory, text="old", reporter="x", category="tools_systems")
    suggested = embedded(session_factory, "waiting [workflow_bottleneck]")
    waiting = add_painpoint(session_factory, text="not embedded yet", reporter="y")

    assert suggester(session_factory).fill() == 3

    found = lenses(session_factory)
    assert found[chosen] == ("data_gap", "reporter")
    assert found[legacy] == ("employee_challenge", "reporter")
    assert found[suggested] == ("workflow_bottleneck", "suggested")
    assert found[waiting] == (None, None)
    assert suggester(session_factory).fill([suggested]) == 0, "a lens is given once"


def test_a_vector_from_another_model_waits(session_factory: SessionFactory) -> None:
    row_id = embedded(session_factory, "waiting [workflow_bottleneck]")
    other = LensSuggester(session_factory, LensEmbedder, model_name="another-model")
    assert other.fill([row_id]) == 0


def test_a_manager_sets_a_themes_lens_over_everything_else(session_factory: SessionFactory) -> None:
    theme = seed_theme(session_factory, "Clients chase refunds", reporters=3, category="data_gap")
    lens = suggester(session_factory)

    assert (
        lens.set_theme_lens(theme_id=theme.theme_id, lens="Customer pain points", actor="UMANAGER")
        == 3
    )

    [summary] = ThemeInsights(session_factory, min_reporters=3).report(period="all").themes
    assert summary.main_category == "customer_facing"
    with session_factory() as session:
        event = session.scalars(select(ThemeEvent).where(ThemeEvent.kind == "lens")).one()
        assert (event.actor, event.detail) == ("UMANAGER", {"lens": "customer_facing"})
    with pytest.raises(LensError, match="unknown lens"):
        lens.set_theme_lens(theme_id=theme.theme_id, lens="Morale", actor="UMANAGER")
    with pytest.raises(LensError, match="there is no theme #999"):
        lens.set_theme_lens(theme_id=999, lens="data_gap", actor="UMANAGER")


def test_suggested_lenses_count_in_the_report(session_factory: SessionFactory) -> None:
    now = datetime.now(UTC)
    theme = seed_theme(session_factory, "Approvals wait", reporters=3, now=now)
    with session_factory() as session, session.begin():
        for row in session.scalars(select(PainPoint).where(PainPoint.theme_id == theme.theme_id)):
            row.lens, row.lens_source = "workflow_bottleneck", "suggested"

    report = ThemeInsights(session_factory, min_reporters=3).report(period="all")

    assert report.categories == {"workflow_bottleneck": 3}
    assert report.themes[0].main_category == "workflow_bottleneck"
