"""Concerns: scrubbed and pseudonymous, grouped, and shown only where enough people share them."""

from __future__ import annotations

import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.db.nudge_models import Concern
from bot.privacy.pseudonym import reporter_pseudonym
from bot.services.concerns import (
    ConcernCluster,
    ConcernOutcome,
    ConcernService,
    apply_minimum_reporters,
    group_concerns,
)
from tests.bot.nudge_parts import Parts
from tests.conftest import SECRET_KEY
from tests.stored import scrubbed


def test_a_concern_is_stored_scrubbed_and_pseudonymous(parts: Parts) -> None:
    service = parts.service.concerns
    outcome = service.record(
        team_id="T1",
        user_id="U100",
        text="Will <@U777> replace us? Mail me at jane@example.com or +44 20 7946 0958",
        topic="job_security",
    )
    assert outcome is ConcernOutcome.RECORDED
    with parts.session_factory() as session:
        row = session.scalars(select(Concern)).one()
    assert row.text == "Will [mention] replace us? Mail me at [email] or [phone]"
    assert row.reporter == reporter_pseudonym(SECRET_KEY, "T1", "U100")
    assert "U100" not in row.reporter and row.named_user_id is None
    assert row.topic == "job_security"


def test_a_name_is_kept_only_when_the_person_chooses(parts: Parts) -> None:
    parts.service.concerns.record(
        team_id="T1", user_id="U100", text="I am fine being named", topic="other", share_name=True
    )
    with parts.session_factory() as session:
        assert session.scalar(select(Concern.named_user_id)) == "U100"


def test_repeats_empty_and_too_long_concerns(parts: Parts) -> None:
    service = parts.service.concerns
    assert service.record(team_id="T1", user_id="U1", text="Data leaves", topic=None) == "recorded"
    assert (
        service.record(team_id="T1", user_id="U1", text="data leaves.", topic=None) == "duplicate"
    )
    assert service.record(team_id="T1", user_id="U2", text="data leaves", topic=None) == "recorded"
    assert service.record(team_id="T1", user_id="U1", text="   ", topic=None) == "empty"
    assert service.record(team_id="T1", user_id="U1", text="x" * 5000, topic=None) == "too_long"
    with parts.session_factory() as session:
        assert [r.topic for r in session.scalars(select(Concern))] == ["other", "other"]


def test_a_concern_links_to_a_campaign_only_through_its_own_delivery(parts: Parts) -> None:
    campaign = parts.schedule(["U001"])
    parts.runner.fire(campaign)
    (delivery,) = parts.deliveries()
    service = parts.service.concerns
    service.record(
        team_id="T1", user_id="U002", text="not mine", topic="other", delivery_id=delivery.id
    )
    service.record(
        team_id="T1", user_id="U001", text="mine", topic="other", delivery_id=delivery.id
    )
    with parts.session_factory() as session:
        rows = {r.text: (r.campaign_id, r.lesson_id) for r in session.scalars(select(Concern))}
    assert rows["not mine"] == (None, None)
    assert rows["mine"] == (campaign, delivery.lesson_id)


def test_the_minimum_reporter_rule_shows_groups_and_counts_smaller_signals(parts: Parts) -> None:
    service = parts.service.concerns
    for n in range(4):
        service.record(
            team_id="T1", user_id=f"U{n}", text=f"privacy worry {n}", topic="data_privacy"
        )
    # The same person three times is still one person.
    for n in range(3):
        service.record(team_id="T1", user_id="USOLO", text=f"my job {n}", topic="job_security")
    service.record(team_id="T1", user_id="U9", text="workload one", topic="workload")

    report = service.report()
    assert report.total == 8 and report.min_reporters == 3
    (group,) = report.groups
    assert (group.label, group.count, group.reporters) == ("Data privacy", 4, 4)
    assert len(group.quotes) == 3 and all(q.startswith("privacy worry") for q in group.quotes)
    assert report.smaller_signals == 4  # 3 job-security + 1 workload concern, not shown
    shown = " ".join(q for g in report.groups for q in g.quotes)
    assert "my job" not in shown and "workload" not in shown


def test_quotes_come_from_distinct_people() -> None:
    clusters = [ConcernCluster("Workload", "workload", (0, 1, 2, 3))]
    report = apply_minimum_reporters(
        clusters, ["a1", "a2", "b1", "c1"], ["A", "A", "B", "C"], min_reporters=3
    )
    assert report.groups[0].quotes == ("a1", "b1", "c1")


def test_group_concerns_groups_by_topic_without_the_theme_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "clustering.pipeline", None)  # not importable
    clusters = group_concerns(
        ["a", "b", "c", "d"], ["R1", "R2", "R3", "R4"], ["workload", None, "workload", "bogus"]
    )
    assert [(c.label, c.indices) for c in clusters] == [("Workload", (0, 2)), ("Other", (1, 3))]
    with pytest.raises(ValueError):
        group_concerns(["a"], [])


DATA = ["data leak", "data sale", "data use", "data loss", "data grab", "data trade"]
VENDOR = ["vendor lock", "vendor price", "vendor terms"]


def install_pipeline(monkeypatch: pytest.MonkeyPatch, pipeline: type) -> None:
    module = types.ModuleType("clustering.pipeline")
    module.ThemePipeline = pipeline  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "clustering.pipeline", module)


def first_word_labels(texts: Sequence[str]) -> list[int]:
    words = sorted({t.split()[0] for t in texts if not t.startswith("noise")})
    return [-1 if t.startswith("noise") else words.index(t.split()[0]) for t in texts]


@dataclass
class FakeTheme:
    label: int
    title: str


@dataclass
class FakeResult:
    labels: list[int]
    themes: list[FakeTheme]


def test_group_concerns_splits_topics_with_the_theme_pipeline_when_present(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[Sequence[str | None]] = []

    class FakePipeline:
        """Shaped like clustering.pipeline.ThemePipeline; meaning = the first word."""

        def fit(self, texts: Sequence[str], *, reporter_ids: Sequence[str | None]) -> FakeResult:
            seen.append(reporter_ids)
            words = sorted({t.split()[0] for t in texts if not t.startswith("noise")})
            themes = [FakeTheme(n, f"{word} worries") for n, word in enumerate(words)]
            return FakeResult(first_word_labels(texts), themes)

    install_pipeline(monkeypatch, FakePipeline)
    texts = [*DATA, *VENDOR, "noise x", "small"]
    topics: list[str | None] = ["data_privacy"] * 10 + ["workload"]
    clusters = group_concerns(texts, [f"R{n}" for n in range(11)], topics)
    assert [(c.label, c.indices) for c in clusters] == [
        ("Data privacy: data worries", (0, 1, 2, 3, 4, 5)),
        ("Data privacy: vendor worries", (6, 7, 8)),
        ("Data privacy: other", (9,)),
        ("Workload", (10,)),
    ]
    assert seen == [[f"R{n}" for n in range(10)]]  # reporters travel with their texts


def test_group_concerns_speaks_fit_transform_too(monkeypatch: pytest.MonkeyPatch) -> None:
    class BERTopicLike:
        def fit_transform(self, texts: Sequence[str]) -> tuple[list[int], None]:
            return first_word_labels(texts), None

    install_pipeline(monkeypatch, BERTopicLike)
    texts = [*DATA, *VENDOR, "data more"]
    clusters = group_concerns(texts, [f"R{n}" for n in range(10)], ["other"] * 10)
    assert [(c.label, len(c.indices)) for c in clusters] == [("Other: 1", 7), ("Other: 2", 3)]


def test_a_failing_theme_pipeline_falls_back_to_topics(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def fit(self, texts: Sequence[str], *, reporter_ids: Sequence[str | None]) -> None:
            raise RuntimeError("model missing")

    install_pipeline(monkeypatch, Broken)
    clusters = group_concerns(["t"] * 12, [f"R{n}" for n in range(12)], ["workload"] * 12)
    assert [(c.label, len(c.indices)) for c in clusters] == [("Workload", 12)]


@pytest.mark.slow
def test_the_real_theme_engine_splits_a_topic_by_meaning() -> None:
    pytest.importorskip("clustering.pipeline")
    jobs = [
        "AI will replace my job within two years",
        "I am afraid the company will cut jobs because of AI",
        "Will my role still exist once the assistant does the reports?",
        "Management wants AI so they can reduce headcount",
        "Colleagues fear layoffs after the automation pilot",
        "If the bot writes the replies, what is left for support staff to do?",
        "Our team could be downsized when AI takes over data entry",
        "I worry my position becomes redundant",
    ]
    accuracy = [
        "The AI gives wrong numbers in spreadsheets",
        "It invented a policy that does not exist",
        "I cannot trust the summaries, they miss key points",
        "The chatbot made up a customer order date",
        "Answers sound confident but are often incorrect",
        "It hallucinated references in my report",
        "The translations it produced had serious mistakes",
        "We found factual errors in the meeting notes it wrote",
    ]
    texts = jobs + accuracy
    # People filed all of them under "other": the theme engine still tells them apart.
    clusters = group_concerns(texts, [f"R{n}" for n in range(16)], ["other"] * 16)
    assert sorted(i for c in clusters for i in c.indices) == list(range(16))
    assert len(clusters) >= 2
    assert all(c.label.startswith("Other: ") and c.topic == "other" for c in clusters)


def test_the_service_uses_an_injected_grouper(parts: Parts) -> None:
    calls: list[int] = []

    def one_group(
        texts: Sequence[str], reporters: Sequence[str], topics: Sequence[str | None] | None
    ) -> list[ConcernCluster]:
        calls.append(len(texts))
        return [ConcernCluster("Everything", None, tuple(range(len(texts))))]

    service = ConcernService(
        parts.session_factory, secret_key=SECRET_KEY, min_reporters=2, grouper=one_group
    )
    service.record(team_id="T1", user_id="U1", text="one", topic="workload")
    service.record(team_id="T1", user_id="U2", text="two", topic="data_privacy")
    scrubbed(parts.session_factory)
    report = service.report()
    assert calls == [2]
    assert [(g.label, g.count, g.reporters) for g in report.groups] == [("Everything", 2, 2)]
