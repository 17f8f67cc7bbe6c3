import numpy as np

from clustering.duplicates import group_near_duplicates, normalise_text
from clustering.embedding import l2_normalise


def test_normalise_text_ignores_case_punctuation_and_spacing() -> None:
    assert normalise_text("  The VPN   keeps dropping!! ") == "the vpn keeps dropping"


def test_exact_duplicates_after_normalisation_share_a_group() -> None:
    groups = group_near_duplicates(["VPN is slow", "vpn is slow!", "printer jams"])
    assert groups[0] == groups[1]
    assert groups[2] != groups[0]


def test_cosine_near_duplicates_share_a_group_and_others_do_not() -> None:
    rng = np.random.default_rng(0)
    base = l2_normalise(rng.normal(size=(3, 16)).astype(np.float32))
    near = l2_normalise((base[0] + 0.01 * rng.normal(size=16).astype(np.float32))[None, :])[0]
    x = np.vstack([base, near[None, :]])
    groups = group_near_duplicates(["a", "b", "c", "d"], x, threshold=0.95)
    assert groups[3] == groups[0]
    assert len(set(groups.tolist())) == 3


def test_grouping_is_transitive() -> None:
    groups = group_near_duplicates(["x y", "X Y", "x, y", "z"])
    assert groups[0] == groups[1] == groups[2] != groups[3]


def test_empty_input() -> None:
    assert group_near_duplicates([]).shape == (0,)
