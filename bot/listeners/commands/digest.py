"""`/painpoint digest` and `/painpoint report`: manager sub-commands (the role is checked first)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import common
from bot.blocks.digest import THEMES_PER_PAGE, digest_message
from bot.deps import Deps
from bot.domain.themes import PERIODS, InsightReport, SliceTooSmall, Suggestion
from bot.reporting.report import render

logger = logging.getLogger(__name__)
Reply = tuple[str, list[dict[str, Any]]]
DIGEST_USAGE = "Usage: `/painpoint digest [7d|30d|90d|all] [team]` — for example `/painpoint digest 30d Finance`."
REPORT_USAGE = "Usage: `/painpoint report [7d|30d|90d|all] [team]`."


@dataclass(frozen=True)
class Scope:
    """A period and an optional team, parsed from the command's arguments."""

    period: str
    team: str | None


def parse_scope(argument: str, known_teams: list[str], default_period: str = "30d") -> Scope | None:
    """`[period] [team]` → Scope; None when the period or the team is unknown."""
    words = argument.split()
    period = default_period
    if words and words[0].lower() in PERIODS:
        period = words.pop(0).lower()
    if not words:
        return Scope(period, None)
    wanted = " ".join(words).casefold()
    team = next((name for name in known_teams if name.casefold() == wanted), None)
    return Scope(period, team) if team else None


def known_teams(deps: Deps) -> list[str]:
    """Configured teams plus the ones on stored reports."""
    return sorted(set(deps.settings.teams) | set(deps.insights.teams()))


def suggestions_for(deps: Deps, report: InsightReport) -> dict[int, list[Suggestion]]:
    """Lessons that match the report's themes (none without a library or theme centres)."""
    if deps.suggester is None:
        return {}
    return deps.suggester.for_themes([theme.id for theme in report.themes])


def digest_reply(deps: Deps, scope: Scope, page: int = 0) -> Reply:
    """The digest page for a scope, or a plain explanation when it cannot be shown."""
    try:
        report = deps.insights.report(period=scope.period, team=scope.team)
    except SliceTooSmall as exc:
        return common.notice(
            f"I can't show that selection: {exc}. Try a longer period or no team filter."
        )
    return digest_message(report, page=page, suggestions=suggestions_for(deps, report))


def handle_digest(
    deps: Deps, argument: str, team_id: str, user_id: str, client: WebClient, respond: Respond
) -> Reply | None:
    """Ephemeral digest when it fits one page, otherwise a DM that pages with "Show more"."""
    del team_id
    scope = parse_scope(argument, known_teams(deps))
    if scope is None:
        return common.notice(DIGEST_USAGE)
    try:
        report = deps.insights.report(period=scope.period, team=scope.team)
    except SliceTooSmall as exc:
        return common.notice(
            f"I can't show that selection: {exc}. Try a longer period or no team filter."
        )
    text, blocks = digest_message(report, suggestions=suggestions_for(deps, report))
    if len(report.themes) <= THEMES_PER_PAGE:
        return text, blocks
    client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
    respond(
        text="The digest is long, so I sent it to you as a direct message.",
        response_type="ephemeral",
    )
    return None


def handle_report(
    deps: Deps, argument: str, team_id: str, user_id: str, client: WebClient, respond: Respond
) -> Reply | None:
    """Build the HTML and CSV audit report and send both to the manager's DM as files."""
    del team_id
    scope = parse_scope(argument, known_teams(deps), default_period="all")
    if scope is None:
        return common.notice(REPORT_USAGE)
    try:
        report = deps.insights.report(period=scope.period, team=scope.team, with_history=True)
    except SliceTooSmall as exc:
        return common.notice(f"I can't build that report: {exc}.")
    respond(
        text="Building the audit report — it will arrive in your DMs in a moment.",
        response_type="ephemeral",
    )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    try:
        channel = client.conversations_open(users=user_id)["channel"]["id"]
        client.files_upload_v2(
            channel=channel,
            initial_comment=f"Audit report ({scope.period}{', ' + scope.team if scope.team else ''}): "
            f"{len(report.themes)} themes from {report.total_painpoints:,} reports.",
            file_uploads=[
                {
                    "content": render(report, "html"),
                    "filename": f"painpoint-report-{stamp}.html",
                    "title": "Audit report (HTML)",
                },
                {
                    "content": render(report, "csv"),
                    "filename": f"painpoint-themes-{stamp}.csv",
                    "title": "Themes (CSV)",
                },
            ],
        )
    except SlackApiError as exc:
        logger.warning("report upload failed: %s", exc.response.get("error"))
        return common.notice(
            "Sorry, Slack refused the report upload. Try again in a minute, or run `painpoint report` on the server."
        )
    return None
