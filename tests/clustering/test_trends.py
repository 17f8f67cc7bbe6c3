import pytest

from clustering.trends import spike, trend


def test_spike_when_this_week_beats_mean_plus_two_std() -> None:
    assert spike([2, 3, 2, 3, 9])
    assert not spike([1, 5, 1, 5, 6])  # mean 3 + 2 × std 2 = 7


def test_spike_needs_history_and_a_report() -> None:
    assert not spike([0, 5])  # one prior week is not enough
    assert not spike([0, 0, 0, 0])  # nothing this week
    assert spike([0, 0, 0, 1])  # first report after silence
    assert not spike([0, 0, 0, 1], min_count=2)
    assert not spike([])


def test_spike_uses_a_trailing_window() -> None:
    counts = [50, 50, 50, 1, 1, 1, 1, 1, 1, 1, 1, 5]
    assert spike(counts, window=8)
    assert not spike(counts, window=None)


def test_trend_directions_and_labels() -> None:
    up = trend(7, 5)
    assert (up.direction, up.change, up.label) == ("up", 2, "+40%")
    assert trend(3, 4).label == "-25%"
    assert trend(4, 4).direction == "flat" and trend(4, 4).label == "no change"
    assert trend(3, 0).direction == "new" and trend(3, 0).ratio is None
    assert trend(0, 0).direction == "flat"
    with pytest.raises(ValueError):
        trend(-1, 2)
