"""`/painpoint digest` and `/painpoint report`: manager sub-commands (the role is checked first).

A team that does not exist and a team with too few people get the same answer, so the digest
cannot be used to learn whether a small team exists.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError

from bot.blocks.common import notice
from bot.blocks.digest import THEMES_PER_PAGE, digest_message
from bot.deps import Deps
from bot.domain.themes import PERIODS, InsightReport, SliceTooSmall, Suggestion
from bot.listeners.commands.parse import team_named
from bot.listeners.context import CommandRequest, Reply
from bot.listeners.reads import record_read
from bot.reporting.report import render

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scope:
    """A period and an optional team, parsed from the command's arguments."""

    period: str
    team: str | None


def parse_scope(argument: str, known: list[str], default_period: str = "30d") -> Scope | str:
    """`[period] [team]` → Scope, or the team name as typed when it is not a team we know."""
    words = argument.split()
    period = default_period
    if words and words[0].casefold() in PERIODS:
        period = words.pop(0).casefold()
    if not words:
        return Scope(period, None)
    typed = " ".join(words)
    team = team_named(typed, known)
    return Scope(period, team) if team else typed


def names_a_slice(deps: Deps, argument: str) -> bool:
    """Whether the words are a digest's arguments: a period first, or a team we know."""
    words = argument.split()
    return bool(words) and (
        words[0].casefold() in PERIODS or team_named(argument, known_teams(deps)) is not None
    )


def known_teams(deps: Deps) -> list[str]:
    """Configured teams plus the ones on stored reports."""
    return sorted(set(deps.settings.teams) | set(deps.insights.teams()))


def no_such_slice(deps: Deps, team: str) -> Reply:
    """The one answer for a team that is unknown or has too few people."""
    shown = deps.insights.teams_with_enough_reporters()
    choices = ", ".join(shown) if shown else "none yet"
    return notice(
        f"I can't show “{team}”: a team is shown only when at least "
        f"{deps.insights.min_reporters} of its people reported something, so that nobody can "
        f"be singled out. Teams you can choose: {choices}."
    )


def suggestions_for(deps: Deps, report: InsightReport) -> dict[int, list[Suggestion]]:
    """Lessons that match the report's themes (none without a library or theme centres)."""
    if deps.suggester is None:
        return {}
    return deps.suggester.for_themes([theme.id for theme in report.themes])


def slice_report(deps: Deps, scope: Scope, *, with_history: bool = False) -> InsightReport | Reply:
    """The report of a scope, or the answer that explains why it cannot be shown."""
    try:
        return deps.insights.report(period=scope.period, team=scope.team, with_history=with_history)
    except SliceTooSmall as exc:
        if scope.team is not None:
            return no_such_slice(deps, scope.team)
        return notice(f"I can't show that selection: {exc}. Try a longer period.")


def digest_reply(deps: Deps, scope: Scope, page: int = 0) -> Reply:
    """The digest page for a scope, or a plain explanation when it cannot be shown."""
    report = slice_report(deps, scope)
    if not isinstance(report, InsightReport):
        return report
    return digest_message(report, page=page, suggestions=suggestions_for(deps, report))


def handle_digest(request: CommandRequest) -> Reply | None:
    """Ephemeral digest when it fits one page, otherwise a DM that pages with "Show more"."""
    deps = request.deps
    scope = parse_scope(request.argument, known_teams(deps))
    if isinstance(scope, str):
        return no_such_slice(deps, scope)
    report = slice_report(deps, scope)
    if not isinstance(report, InsightReport):
        return report
    record_read(deps, request.user_id, "digest", period=scope.period, team=scope.team)
    text, blocks = digest_message(report, suggestions=suggestions_for(deps, report))
    if len(report.themes) <= THEMES_PER_PAGE:
        return text, blocks
    request.client.chat_postMessage(channel=request.user_id, text=text, blocks=blocks)
    request.respond(
        text="The digest is long, so I sent it to you as a direct message.",
        response_type="ephemeral",
    )
    return None


def handle_report(request: CommandRequest) -> Reply | None:
    """Build the HTML and CSV audit report and send both to the manager's DM as files."""
    deps = request.deps
    scope = parse_scope(request.argument, known_teams(deps), default_period="all")
    if isinstance(scope, str):
        return no_such_slice(deps, scope)
    report = slice_report(deps, scope, with_history=True)
    if not isinstance(report, InsightReport):
        return report
    record_read(deps, request.user_id, "report", period=scope.period, team=scope.team)
    request.respond(
        text="Building the audit report — it will arrive in your DMs in a moment.",
        response_type="ephemeral",
    )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    label = f"{scope.period}{', ' + scope.team if scope.team else ''}"
    try:
        channel = request.client.conversations_open(users=request.user_id)["channel"]["id"]
        request.client.files_upload_v2(
            channel=channel,
            initial_comment=f"Audit report ({label}): {len(report.themes)} themes from "
            f"{report.total_painpoints:,} reports.",
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
        return notice(
            "Sorry, Slack refused the report upload. Try again in a minute, or run "
            "`painpoint report` on the server."
        )
    return None
