"""No report is swallowed by sub-command parsing: real-looking reports that begin with a
sub-command's word, sent as signed `/painpoint` requests by employees and managers, are all
stored, word for word."""

from __future__ import annotations

import json
import re

from slack_bolt import App

from bot.db.session import SessionFactory
from tests.slack_requests import Sender, drain, response_json
from tests.slack_stand_in import SlackStandIn
from tests.stored import painpoints

REPORTS = [
    "report generation is slow",
    "report generation takes the whole of Monday morning",
    "reports are emailed as PDFs nobody can filter",
    "report templates differ between regions",
    "Report: the weekly KPI deck is rebuilt by hand every Friday",
    "reporting in the CRM times out after 30 seconds",
    "report exports lose the currency column",
    "report approvals need three signatures",
    "digest emails from the ticket system are unreadable",
    "digest of customer calls is typed up manually",
    "digest 30 pages of policy before every audit",
    "Digest emails arrive at 3am and bury the real alerts",
    "digests from finance come as screenshots",
    "delete duplicates",
    "delete duplicates in the customer list by hand every week",
    "delete old invoices manually from the shared drive",
    "delete requests for user accounts take two weeks",
    "Delete buttons are hidden in the expense tool",
    "delete 42 rows every morning from the import sheet",
    "delete #obsolete tags in the wiki by hand",
    "mine takes ten minutes to boot",
    "mine is the only laptop without the VPN client",
    "Mine: the printer on floor 2 jams daily",
    "mine and my team's timesheets are entered twice",
    "help desk tickets wait three days",
    "help requests get lost in the shared inbox",
    "Help articles are outdated and contradict each other",
    "help me find the latest price list, nobody knows where it is",
    "help",  # alone: the sub-command (not counted below)
    "settings pages in the HR tool time out",
    "settings for notifications reset after every update",
    "Settings: I cannot change my cost centre without a ticket",
    "pilot projects never get a budget line",
    "pilot customers get invoices from two systems",
    "pilots of new tools are announced by email and then forgotten",
    "pilots need six approvals before they start",
    "pilot log books are kept on paper in the warehouse",
    "report",  # alone: the sub-command (not counted below)
    "report Finance numbers by hand",
    "digest Sales pipeline into a slide every week",
    "delete",  # alone: the usage of delete (not counted below)
    "mine mine mine: three laptops, three passwords",
    "reports reports reports, every Friday afternoon",
    "help-desk chat bot gives wrong answers",
    "report-writing eats a day a week for account managers",
    "Digest-style summaries of tickets would save hours",
]
SUB_COMMANDS = {"help", "report", "delete"}
# Employees, and a manager (through the managers' user group): their reports are reports too.
USERS = ["UWORDS1", "UWORDS2", "UWORDS3", "UWORDSMGR"]


def test_every_report_that_starts_with_a_sub_command_word_is_stored(
    app: App, sender: Sender, stand_in: SlackStandIn, session_factory: SessionFactory
) -> None:
    stand_in.usergroups["SMANAGERS"] = ["UWORDSMGR"]
    expected = []
    later = 0
    for index, text in enumerate(REPORTS):
        hook = f"r{index}"
        response = sender.command(
            text, user=USERS[index % len(USERS)], response_url=stand_in.response_url(hook)
        )
        assert response.status == 200
        if text in SUB_COMMANDS:
            continue
        expected.append(text)
        answer = response_json(response).get("text")
        if answer is None:  # a role-gated word: acknowledged at once, answered afterwards
            later += 1
            answer = json.dumps(stand_in.wait_for("response_url", later)[later - 1].params)
        assert re.search(r"#\d+", answer), (text, answer)

    drain(app)
    assert len(expected) >= 40
    assert sorted(row.text for row in painpoints(session_factory)) == sorted(expected)
