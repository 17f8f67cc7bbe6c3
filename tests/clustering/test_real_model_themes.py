"""Small realistic pain-point sets through the whole engine with the packaged model."""

import numpy as np
import pytest

from clustering.assign import join_labels
from clustering.embedding import SentenceTransformerEmbedder
from clustering.pipeline import ThemePipeline
from clustering.titles import content_words, duplicate_titles, title_problems
from tests.clustering.painpoints import AQUARIUM, KOMBUCHA, padded_corpus, three_topics

pytestmark = pytest.mark.slow


def test_three_plain_topics_give_three_themes_and_parking_stays_out(
    real_embedder: SentenceTransformerEmbedder,
) -> None:
    texts, reporters, truth = three_topics()
    result = ThemePipeline(embedder=real_embedder).fit(texts, reporter_ids=reporters)
    labels = result.labels
    assert result.n_themes == 3
    for topic in range(3):
        rows = [i for i, t in enumerate(truth) if t == topic]
        assert len(set(labels[rows].tolist())) == 1 and labels[rows[0]] >= 0
    assert (labels[[i for i, t in enumerate(truth) if t == -1]] == -1).all()
    titles = [t.title for t in result.themes]
    assert all(title_problems(t) == [] for t in titles), titles
    assert not duplicate_titles(titles)
    # the parking words never reach a theme's keywords
    assert not any("parking" in k or "badge" in k for t in result.themes for k in t.keywords)


@pytest.mark.parametrize("pair_topic", [KOMBUCHA, AQUARIUM], ids=["kombucha", "aquarium"])
def test_padding_cannot_lift_a_two_person_topic_over_the_reporter_rule(
    real_embedder: SentenceTransformerEmbedder, pair_topic: list[tuple[str, str]]
) -> None:
    texts, reporters = padded_corpus(pair_topic)
    result = ThemePipeline(embedder=real_embedder).fit(texts, reporter_ids=reporters)
    pair_rows = [texts.index(text) for text, _ in pair_topic]
    for label in set(result.labels[pair_rows].tolist()) - {-1}:
        members = np.flatnonzero(result.labels == label)
        assert len({reporters[i] for i in members}) <= 2
        theme = result.themes[label]
        assert theme.n_reporters is not None and theme.n_reporters <= 2
        # nothing only those two people wrote is shown
        assert theme.keywords == []
        assert not {"kombucha", "aquarium", "fish"} & set(content_words(theme.title))
    nothing = texts.index("Nothing comes to mind atm")
    assert result.non_answer[nothing] and result.labels[nothing] == -1
    coffee = next(i for i, t in enumerate(texts) if "coffee machine" in t)
    assert result.labels[coffee] == -1


def test_new_reports_join_by_the_same_rule(real_embedder: SentenceTransformerEmbedder) -> None:
    texts, reporters, _ = three_topics()
    result = ThemePipeline(embedder=real_embedder).fit(texts, reporter_ids=reporters)
    vpn_theme = result.labels[texts.index("The VPN drops during video calls several times a day")]
    new = real_embedder.embed(
        [
            "VPN keeps dropping whenever I am on a call",
            "The parking garage gate ignored my badge again",
            "The office plants need watering",
        ]
    )
    joined = join_labels(new, result.centroids, result.thresholds)
    assert joined.tolist() == [vpn_theme, -1, -1]
