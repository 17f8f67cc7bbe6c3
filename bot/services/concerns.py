"""Concerns raised from nudges: stored scrubbed and pseudonymous, shown only in groups that
enough distinct people share (the same minimum-reporter rule as manager digests).

`group_concerns` is the boundary to the theme engine: today it groups by the topic people chose
and, when `clustering.pipeline.ThemePipeline` is importable, splits each topic further into
themes by meaning. The minimum-reporter rule is applied afterwards, here, whatever grouped them.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from bot.db.nudge_models import Concern, NudgeDelivery
from bot.db.session import SessionFactory
from bot.domain.nudges import TOPICS, ConcernGroup, ConcernReport, SignedConcern
from bot.domain.text import storable
from bot.privacy.pseudonym import reporter_pseudonym
from bot.privacy.scrub import Scrubber, default_scrubber
from bot.privacy.seal import Sealer

logger = logging.getLogger(__name__)
DUPLICATE_WINDOW = timedelta(hours=24)
QUOTES_PER_GROUP = 3
# Signed concerns shown to trainers, newest first.
SIGNED_SHOWN = 20
# Below this many concerns in a topic, meaning-based splitting has nothing to work with (the
# theme engine itself asks for ten usable texts before it finds themes).
MIN_FOR_PIPELINE = 10


@dataclass(frozen=True)
class ConcernCluster:
    """A group of concerns by index into the caller's lists, with a readable label."""

    label: str
    topic: str | None
    indices: tuple[int, ...]


Grouper = Callable[
    [Sequence[str], Sequence[str], Sequence[str | None] | None], list[ConcernCluster]
]


def _theme_pipeline() -> Any | None:
    """`clustering.pipeline.ThemePipeline` when the theme engine provides it, else None."""
    try:
        module = importlib.import_module("clustering.pipeline")
    except ImportError:
        return None
    return getattr(module, "ThemePipeline", None)


def _pipeline_labels(
    pipeline_class: Any, texts: Sequence[str], reporters: Sequence[str]
) -> tuple[list[int], dict[int, str]] | None:
    """Theme labels (-1 = unassigned) and theme titles from the theme engine; None if it
    cannot help. Speaks `ThemePipeline.fit` (labels and described themes) and, for other
    engines, the BERTopic-style `fit_transform`."""
    try:
        pipeline = pipeline_class()
        if hasattr(pipeline, "fit"):
            result = pipeline.fit(list(texts), reporter_ids=list(reporters))
        else:
            result = pipeline.fit_transform(list(texts))
    except Exception:
        # The grouping by topic still stands; the theme engine only refines it.
        logger.warning("theme pipeline failed on concerns; grouping by topic only", exc_info=True)
        return None
    if isinstance(result, tuple):
        labels = result[0]
    else:
        labels = getattr(result, "labels", getattr(result, "labels_", result))
    try:
        values = [int(label) for label in labels]
    except (TypeError, ValueError):
        logger.warning("theme pipeline returned no labels; grouping by topic only")
        return None
    titles: dict[int, str] = {}
    for theme in getattr(result, "themes", None) or []:
        label, title = getattr(theme, "label", None), getattr(theme, "title", None)
        if isinstance(label, int) and isinstance(title, str) and title:
            titles[label] = title
    return (values, titles) if len(values) == len(texts) else None


def group_concerns(
    texts: Sequence[str],
    reporters: Sequence[str],
    topics: Sequence[str | None] | None = None,
) -> list[ConcernCluster]:
    """Group concerns: by chosen topic, each split by meaning when the theme engine is there.

    `reporters` travel with the texts so that a future grouper can weigh distinct people; the
    minimum-reporter rule itself is applied by the caller.
    """
    if len(reporters) != len(texts) or (topics is not None and len(topics) != len(texts)):
        raise ValueError("texts, reporters and topics must have the same length")
    by_topic: dict[str, list[int]] = defaultdict(list)
    for index in range(len(texts)):
        topic = (topics[index] if topics is not None else None) or "other"
        by_topic[topic if topic in TOPICS else "other"].append(index)
    pipeline_class = _theme_pipeline()
    clusters: list[ConcernCluster] = []
    for topic in TOPICS:
        indices = by_topic.get(topic)
        if not indices:
            continue
        label = TOPICS[topic]
        found = None
        if pipeline_class is not None and len(indices) >= MIN_FOR_PIPELINE:
            found = _pipeline_labels(
                pipeline_class, [texts[i] for i in indices], [reporters[i] for i in indices]
            )
        if found is None or len(set(found[0]) - {-1}) <= 1:
            clusters.append(ConcernCluster(label, topic, tuple(indices)))
            continue
        labels, titles = found
        parts: dict[int, list[int]] = defaultdict(list)
        for local, cluster_label in enumerate(labels):
            parts[cluster_label].append(indices[local])
        for number, cluster_label in enumerate(sorted(parts, key=lambda c: (c == -1, c)), 1):
            suffix = "other" if cluster_label == -1 else titles.get(cluster_label) or str(number)
            clusters.append(
                ConcernCluster(f"{label}: {suffix}", topic, tuple(parts[cluster_label]))
            )
    return clusters


class ConcernOutcome(StrEnum):
    """What happened to a submitted concern."""

    RECORDED = "recorded"
    DUPLICATE = "duplicate"
    EMPTY = "empty"
    TOO_LONG = "too_long"


def _fingerprint(text: str) -> str:
    normalised = re.sub(r"\s+", " ", text).strip().casefold().rstrip(" .!?…")
    return hashlib.sha256(normalised.encode()).hexdigest()


class ConcernService:
    """Records concerns and reports them under the minimum-reporter rule."""

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        secret_key: str,
        min_reporters: int,
        max_length: int = 4000,
        grouper: Grouper = group_concerns,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        scrubber: Scrubber | None = None,
        on_recorded: Callable[[int], object] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._secret_key = secret_key
        self._scrubber = scrubber or default_scrubber()
        self._sealer = Sealer(secret_key)
        # Called with each new concern's id (the privacy step's queue).
        self.on_recorded = on_recorded
        self.min_reporters = min_reporters
        self.max_length = max_length
        self._grouper = grouper
        self._clock = clock

    def pseudonym(self, team_id: str, user_id: str) -> str:
        """The keyed pseudonym a person's concerns (and nudge feedback) are stored under."""
        return reporter_pseudonym(self._secret_key, team_id, user_id)

    def record(
        self,
        *,
        team_id: str,
        user_id: str,
        text: str,
        topic: str | None,
        share_name: bool = False,
        delivery_id: int | None = None,
    ) -> ConcernOutcome:
        """Scrub and store a concern; the Slack id is kept only if the person chose to."""
        text = storable(text or "")
        if not text.strip():
            return ConcernOutcome.EMPTY
        if len(text) > self.max_length:
            return ConcernOutcome.TOO_LONG
        reporter = reporter_pseudonym(self._secret_key, team_id, user_id)
        cleaned = self._scrubber.fast(text.strip())
        fingerprint = _fingerprint(cleaned)
        now = self._clock()
        with self._session_factory() as session, session.begin():
            repeat = session.scalar(
                select(Concern.id).where(
                    Concern.reporter == reporter,
                    Concern.text_hash == fingerprint,
                    Concern.created_at >= now - DUPLICATE_WINDOW,
                )
            )
            if repeat is not None:
                return ConcernOutcome.DUPLICATE
            campaign_id = lesson_id = None
            if delivery_id is not None:
                # Only the delivery's own recipient can attach it to a campaign and lesson.
                row = session.execute(
                    select(NudgeDelivery.campaign_id, NudgeDelivery.lesson_id).where(
                        NudgeDelivery.id == delivery_id, NudgeDelivery.recipient == user_id
                    )
                ).first()
                if row is not None:
                    campaign_id, lesson_id = row
            concern = Concern(
                # Readable only once the privacy step has run the full scrub.
                text="",
                sealed=self._sealer.seal({"text": cleaned}),
                pending_scrub=True,
                text_hash=fingerprint,
                topic=topic if topic in TOPICS else "other",
                reporter=reporter,
                named_user_id=user_id if share_name else None,
                campaign_id=campaign_id,
                lesson_id=lesson_id,
                created_at=now,
            )
            session.add(concern)
            session.flush()
            concern_id = concern.id
        if self.on_recorded is not None:
            self.on_recorded(concern_id)
        return ConcernOutcome.RECORDED

    def report(self) -> ConcernReport:
        """Groups backed by at least `min_reporters` distinct people, with quotes; the rest
        only counted."""
        with self._session_factory() as session:
            rows = session.execute(
                select(Concern.text, Concern.reporter, Concern.topic)
                .where(Concern.pending_scrub.is_(False))
                .order_by(Concern.created_at.desc(), Concern.id.desc())
            ).all()
            signed = session.execute(
                select(Concern.named_user_id, Concern.topic, Concern.text)
                .where(
                    Concern.pending_scrub.is_(False),
                    Concern.named_user_id.is_not(None),
                    Concern.text != "",
                )
                .order_by(Concern.created_at.desc(), Concern.id.desc())
                .limit(SIGNED_SHOWN)
            ).all()
        texts = [row.text for row in rows]
        reporters = [row.reporter for row in rows]
        topics: list[str | None] = [row.topic for row in rows]
        clusters = self._grouper(texts, reporters, topics) if rows else []
        report = apply_minimum_reporters(clusters, texts, reporters, self.min_reporters)
        return replace(
            report,
            signed=tuple(SignedConcern(str(user), topic, text) for user, topic, text in signed),
        )


def apply_minimum_reporters(
    clusters: Sequence[ConcernCluster],
    texts: Sequence[str],
    reporters: Sequence[str],
    min_reporters: int,
) -> ConcernReport:
    """The k-rule: show a group only if `min_reporters` distinct people are behind it."""
    shown: list[ConcernGroup] = []
    smaller = 0
    for cluster in clusters:
        people = {reporters[i] for i in cluster.indices}
        if len(people) < min_reporters:
            smaller += len(cluster.indices)
            continue
        quotes: list[str] = []
        quoted: set[str] = set()
        for index in cluster.indices:
            # One quote per person, so nobody's words dominate (or identify) a group; a concern
            # past retention has no text left to quote.
            if reporters[index] in quoted or not texts[index]:
                continue
            quoted.add(reporters[index])
            quotes.append(texts[index])
            if len(quotes) == QUOTES_PER_GROUP:
                break
        shown.append(
            ConcernGroup(
                label=cluster.label,
                topic=cluster.topic,
                count=len(cluster.indices),
                reporters=len(people),
                quotes=tuple(quotes),
            )
        )
    shown.sort(key=lambda group: (-group.reporters, -group.count, group.label))
    return ConcernReport(
        groups=shown, smaller_signals=smaller, total=len(texts), min_reporters=min_reporters
    )
