"""A Presidio recognizer that repairs what spaCy's small English model gets wrong about names.

Measured on the labelled sentences, the small model finds about seven names in ten. The
rest fall into two groups that a rule can recover: it stops short ("Ana Lucía [Fernández]",
"Elif [Demir]"), or it sees a person but files them as an organisation or a nationality
("[Tariq Mahmood] ORG", "[Anjali] NORP [Sharma] GPE"). So: PERSON spans grow over adjacent
capitalised name-like words, and a run of two to four such words that spaCy did not place
as a location, product, event or date is taken as a name, unless one of its words is a
product, department or business word from `vocabulary`. Imported only when the NER model
loads (Presidio is slow to import).
"""

from __future__ import annotations

from typing import Any

import regex
from presidio_analyzer import LocalRecognizer, RecognizerResult
from spacy.lang.en.stop_words import STOP_WORDS

from bot.privacy.vocabulary import is_lead_word, is_not_a_name_word

# A capitalised word as names are written: Müller, O'Connor, MacLeod, Seo-yeon, Al-Sayed.
_WORD = r"(?:\p{Lu}['’])?\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)?(?:-\p{L}\p{Ll}+)*"
_PARTICLE = r"(?:van|von|der|den|de|del|della|da|di|dos|das|du|le|la|bin|ibn|al|el|ten|ter|y)"
_RUN = regex.compile(rf"(?<![\w@.#/-]){_WORD}(?:\s+(?:{_PARTICLE}\s+)*{_WORD})*(?![\w@-])")
_NAME_WORD = regex.compile(_WORD)
# Labels under which spaCy's capitalised runs are places, things or times, not people.
_NOT_PEOPLE = frozenset(
    {"GPE", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE", "DATE", "TIME"}
)
_SCORE = 0.6
_RECOGNIZER = "name_repair"


class NameRepairRecognizer(LocalRecognizer):
    """PERSON spans from spaCy's entities and capitalised runs (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["PERSON"], name=_RECOGNIZER)

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
        if nlp_artifacts is None or "PERSON" not in entities:
            return []
        doc = nlp_artifacts.tokens
        spans = [_grow(text, e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"]
        others = [(e.start_char, e.end_char) for e in doc.ents if e.label_ in _NOT_PEOPLE]
        for match in _RUN.finditer(text):
            run = _trim(text, match.start(), match.end())
            if run is None:
                continue
            start, end = run
            if any(s <= start and end <= e for s, e in others):
                continue
            spans.append((start, end))
        return [
            RecognizerResult("PERSON", start, end, _SCORE, recognition_metadata=self._metadata())
            for start, end in spans
        ]

    def _metadata(self) -> dict[str, str]:
        return {
            RecognizerResult.RECOGNIZER_NAME_KEY: _RECOGNIZER,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
        }


def _words(text: str, start: int, end: int) -> list[regex.Match[str]]:
    return list(_NAME_WORD.finditer(text, start, end))


def _usable(word: str) -> bool:
    lower = word.lower()
    return lower not in STOP_WORDS and not is_not_a_name_word(lower) and not is_lead_word(lower)


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    # Drop sentence-initial verbs and function words ("Ask", "When", "Our"); keep a run
    # of at least two name words none of which is a product or business word.
    words = _words(text, start, end)
    while words and not _usable(words[0].group()):
        words.pop(0)
    if len(words) < 2 or not all(_usable(w.group()) for w in words):
        return None
    return words[0].start(), words[-1].end()


_BEFORE = regex.compile(rf"(?<![\w'’-])(?:{_WORD})(?:\s+(?:{_PARTICLE}\s+)*)$")
_AFTER = regex.compile(rf"^(?:\s+(?:{_PARTICLE}\s+)*)({_WORD})")


def _grow(text: str, start: int, end: int) -> tuple[int, int]:
    # "Ana Lucía [Fernández]" → "[Ana Lucía Fernández]": spaCy's span grows over capitalised
    # name words next to it, as long as they are not verbs, products or function words.
    while True:
        before = _BEFORE.search(text, max(0, start - 40), start)
        if before is None or not _usable(_NAME_WORD.match(before.group()).group()):
            break
        start = before.start()
    while True:
        after = _AFTER.search(text[end : end + 40])
        if after is None or not _usable(after.group(1)):
            break
        end += after.end()
    return start, end
