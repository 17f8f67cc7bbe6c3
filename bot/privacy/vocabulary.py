"""Capitalised words that are not people in workplace text, for the name rules.

Products and vendors people complain about, departments and business words, calendar
words. A name span made only of these (or of acronyms like SAP, Q3) is kept as written;
`names` also refuses to build a name out of a run that contains one of them.
"""

from __future__ import annotations

import re

_PRODUCTS = """
ada adobe adp airtable alexa amazon amplitude anaplan apollo ariba asana aws azure
bamboohr bitwarden blackline box brex calendly celonis chatgpt chrome citrix claude concur
confluence copilot coupa databricks datadog deloitte docusign dropbox duo dynamics edge
egencia excel expensify figma firefox freshdesk gainsight gemini github gitlab gmail gong
google grafana greenhouse gusto harvest hibob hubspot intercom jenkins jira kofax kronos
lastpass lever linkedin looker loom lotus lucid marketo microsoft miro mixpanel monday
mural navan netsuite notion office okta onedrive opsgenie oracle outlook pagerduty pendo
personio postman power powerbi powerpoint qualtrics quickbooks ramp rippling safari sage
salesforce sap sentry servicenow sharepoint sherlock slack smartsheet snowflake splunk
surveymonkey tableau teams tipalti trello typeform ukg webex windows word workday xero
zendesk zoom zoominfo
"""
_BUSINESS = """
account accounting accounts acquisition admin administration analyst analytics annual app
approval approvals assistant associate assurance audit automate bank board budget business
calendar center centre central change chat chief close cloud college committee company
compliance connect consultant consulting coordinator corp corporation cost council customer
customers dashboard data department desk director division docs drive east emea end
engineer engineering enterprise executive expense expenses facilities field finance
financial flow forecast form forms general global goods group hall head health helpdesk
holdings hotel hours hub human inc insights institute insurance international intern invoice
invoices it key labs lead leave learning ledger legal llc logistics ltd mail management
manager marketing master month network north notes office officer online onboarding
operations ops order orders owner pack partner partners pay payable payroll people planning
platform policy portal president process procurement product project purchase purchasing
quality receipt receivable regional report reports request requisition resources revenue
review risk sales scrum security service services sheet sheets software solutions south
specialist sprint suite success supplier support system systems talent team teams
technologies timesheet tool town training travel treasury university vendor vice warehouse
west
"""
_CALENDAR = """
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday
morning afternoon evening week weekly daily monthly quarterly year christmas easter
holiday holidays good happy hello welcome new old
"""
# Words that begin a sentence before a name: "Ask John Smith", "Dr Anna Kowalski".
_LEAD = """
ask asked ping pinged tell told talk thanks thank hi hey dear email emailed call called
message dm chase chased remind cc contact forward send invite phone ring text write reach
loop tag nudge escalate mr mrs ms miss dr prof sir madam
"""

NOT_NAMES = frozenset((_PRODUCTS + _BUSINESS + _CALENDAR).split())
LEAD_WORDS = frozenset(_LEAD.split())
_WORD = re.compile(r"[^\W\d_][\w.'’-]*")
_ACRONYM = re.compile(r"[A-Z0-9]{2,5}")


def is_not_a_name_word(word: str) -> bool:
    return word.lower() in NOT_NAMES


def is_lead_word(word: str) -> bool:
    return word.lower() in LEAD_WORDS


def is_not_a_name(span: str) -> bool:
    """True when `span` has a digit, or only known non-name words and acronyms (SAP, Q3)."""
    if any(ch.isdigit() for ch in span):
        return True
    words = _WORD.findall(span)
    return not words or all(w.lower() in NOT_NAMES or _ACRONYM.fullmatch(w) for w in words)
