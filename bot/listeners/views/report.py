"""Submitting the report form: validate in the modal, then record or amend."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.blocks import capture as blocks
from bot.blocks import common, ids
from bot.domain.capture import CATEGORIES, FREQUENCIES, MAX_HOURS_PER_WEEK, Outcome, PainPointInput
from bot.listeners.context import deps_of, team_of, user_of
from bot.listeners.replies import outcome_message


@dataclass(frozen=True)
class ParsedForm:
    """The form's values, or errors keyed by block id."""

    submission: PainPointInput | None
    errors: dict[str, str]
    painpoint_id: int | None


def _value(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    return dict((values.get(block_id) or {}).get(ids.VALUE) or {})


def parse_report_form(view: dict[str, Any], teams: list[str]) -> ParsedForm:
    """Read and validate the modal's state; never raises on malformed input."""
    values = (view.get("state") or {}).get("values") or {}
    errors: dict[str, str] = {}
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    if not isinstance(metadata, dict):
        metadata = {}
    source = (
        str(metadata.get("source")) if metadata.get("source") in {"modal", "shortcut"} else "modal"
    )
    raw_id = metadata.get("painpoint_id")
    painpoint_id = raw_id if isinstance(raw_id, int) and raw_id > 0 else None

    text = str(_value(values, ids.REPORT_TEXT).get("value") or "")
    if not text.strip():
        errors[ids.REPORT_TEXT] = "Tell us what slows you down — a sentence is enough."

    frequency = (_value(values, ids.REPORT_FREQUENCY).get("selected_option") or {}).get("value")
    if frequency is not None and frequency not in FREQUENCIES:
        errors[ids.REPORT_FREQUENCY] = "Choose one of the listed options."

    hours: float | None = None
    raw_hours = _value(values, ids.REPORT_HOURS).get("value")
    if raw_hours not in (None, ""):
        try:
            hours = float(str(raw_hours).replace(",", "."))
        except ValueError:
            errors[ids.REPORT_HOURS] = "Enter a number of hours, for example 2 or 1.5."
        else:
            if not 0 <= hours <= MAX_HOURS_PER_WEEK or hours != hours:
                errors[ids.REPORT_HOURS] = f"Enter between 0 and {MAX_HOURS_PER_WEEK:g} hours."
                hours = None

    category = (_value(values, ids.REPORT_CATEGORY).get("selected_option") or {}).get("value")
    if category is not None and category not in CATEGORIES:
        errors[ids.REPORT_CATEGORY] = "Choose one of the listed categories."

    team_state = _value(values, ids.REPORT_TEAM)
    team = (team_state.get("selected_option") or {}).get("value") or team_state.get("value")
    if team is not None and teams and team not in teams:
        errors[ids.REPORT_TEAM] = "Choose one of the listed teams."

    keep = _value(values, ids.REPORT_KEEP_POSTED).get("selected_options") or []
    keep_posted = any(option.get("value") == "yes" for option in keep if isinstance(option, dict))

    if errors:
        return ParsedForm(None, errors, painpoint_id)
    submission = PainPointInput(
        text=text,
        source=source,
        category=category,
        frequency=frequency,
        hours_per_week=hours,
        team=str(team) if team else None,
        keep_posted=keep_posted,
    )
    return ParsedForm(submission, {}, painpoint_id)


def handle_report_submission(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """Record (or amend) and replace the form with a confirmation; errors stay in the form."""
    deps = deps_of(context)
    form = parse_report_form(view, deps.settings.teams)
    if form.submission is None:
        ack(response_action="errors", errors=form.errors)
        return
    team_id, user_id = team_of(body, context), user_of(body, context)
    if form.painpoint_id is not None:
        result = deps.capture.amend(
            team_id=team_id,
            user_id=user_id,
            painpoint_id=form.painpoint_id,
            submission=form.submission,
        )
    else:
        result = deps.capture.record(team_id=team_id, user_id=user_id, submission=form.submission)
    message = outcome_message(result, deps.capture.limits.max_text_length)
    if message is not None:
        ack(response_action="errors", errors={ids.REPORT_TEXT: message})
        return
    assert result.painpoint is not None
    number = result.painpoint.id
    if result.outcome is Outcome.DUPLICATE:
        title, text = "Already recorded", f"You already recorded this as pain point *#{number}*."
    elif result.outcome is Outcome.UPDATED:
        title, text = "Updated", f"Pain point *#{number}* is updated. Thank you!"
    else:
        title, text = "Thank you!", f"Recorded as pain point *#{number}*."
    ack(
        response_action="update",
        view=common.confirmation_view(
            title, f"{text}\n\n{blocks.receipt_note(result.painpoint, deps.wording)}"
        ),
    )
    logger.debug("report form handled: %s", result.outcome)
