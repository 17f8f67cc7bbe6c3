"""Each quote a manager sees points back at the one report it came from, so it can be moved."""

from __future__ import annotations

from bot.domain.themes import quoted_reports


def test_each_quote_maps_to_its_own_report_even_when_two_say_the_same() -> None:
    reports = [(10, "VPN drops"), (11, "Approvals wait"), (12, "VPN drops"), (13, "Other")]

    assert quoted_reports(["VPN drops", "Approvals wait", "VPN drops"], reports) == [10, 11, 12]
    assert quoted_reports(["Not a report", "Other"], reports) == [None, 13]
