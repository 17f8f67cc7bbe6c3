"""Submitting the scheduling form and the concern form; problems are shown inside the form."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.blocks import common, ids
from bot.blocks import nudge as nudge_blocks
from bot.blocks import nudge_schedule as nudge_schedule_blocks
from bot.domain.nudges import TOPICS, ScheduleInputError, ScheduleRequest
from bot.domain.roles import Role
from bot.domain.schedule import ScheduleError, parse_time
from bot.listeners.context import deps_of, nudges_of, team_of, user_of
from bot.services.concerns import ConcernOutcome

# Service field → the block that shows its error.
ERROR_BLOCKS = {
    "content": ids.B_CONTENT,
    "audience": ids.B_USERS,
    "when": ids.B_WHEN,
    "cron": ids.B_WHEN,
    "date": ids.B_DATE,
    "at": ids.B_DATE,
    "time": ids.B_TIME,
    "weekdays": ids.B_WEEKDAYS,
    "quiet_start": ids.B_QUIET_START,
    "quiet_end": ids.B_QUIET_END,
    "timezone": ids.B_OPTIONS,
}


def _state(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    values = (view.get("state") or {}).get("values") or {}
    return dict((values.get(block_id) or {}).get(ids.VALUE) or {})


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _selected(view: dict[str, Any], block_id: str) -> str | None:
    option = _state(view, block_id).get("selected_option") or {}
    value = option.get("value") if isinstance(option, dict) else None
    return str(value) if value else None


def _checked(view: dict[str, Any], block_id: str) -> set[str]:
    options = _state(view, block_id).get("selected_options") or []
    return {str(o.get("value")) for o in options if isinstance(o, dict)}


def _time(view: dict[str, Any], block_id: str, errors: dict[str, str]) -> time | None:
    raw = _state(view, block_id).get("selected_time")
    if not raw:
        return None
    try:
        return parse_time(str(raw))
    except ScheduleError as exc:
        errors[block_id] = str(exc)
        return None


@dataclass(frozen=True)
class ParsedSchedule:
    """The form as a request, or errors keyed by block id."""

    request: ScheduleRequest | None
    errors: dict[str, str]


def parse_schedule_form(view: dict[str, Any], default_tz: str) -> ParsedSchedule:
    """Read the scheduling form; never raises on malformed input."""
    errors: dict[str, str] = {}
    content = _selected(view, ids.B_CONTENT) or ""
    audience: list[str] = []
    audience += [str(u) for u in _state(view, ids.B_USERS).get("selected_users") or []]
    audience += [str(c) for c in _state(view, ids.B_CHANNELS).get("selected_conversations") or []]
    groups_text = str(_state(view, ids.B_GROUPS).get("value") or "")
    for group in re.split(r"[\s,]+", groups_text.strip()):
        if not group:
            continue
        if not re.fullmatch(r"S[A-Z0-9]{2,30}", group.upper()):
            errors[ids.B_GROUPS] = f"{group!r} is not a user-group id (they start with S)"
            break
        audience.append(group.upper())
    theme = _selected(view, ids.B_THEME)
    if theme:
        audience.append(theme)
    when = _selected(view, ids.B_WHEN) or "now"
    raw_date = _state(view, ids.B_DATE).get("selected_date")
    on_date = None
    if raw_date:
        try:
            on_date = date.fromisoformat(str(raw_date))
        except ValueError:
            errors[ids.B_DATE] = "choose a date"
    time_of_day = _time(view, ids.B_TIME, errors)
    quiet_start = _time(view, ids.B_QUIET_START, errors)
    quiet_end = _time(view, ids.B_QUIET_END, errors)
    weekdays = tuple(int(day) for day in _checked(view, ids.B_WEEKDAYS) if day.isdigit())
    options = _checked(view, ids.B_OPTIONS)
    timezone = str(_metadata(view).get("tz") or default_tz)
    if errors:
        return ParsedSchedule(None, errors)
    request = ScheduleRequest(
        content=content,
        audience=audience,
        when=when,
        on_date=on_date,
        time_of_day=time_of_day,
        weekdays=weekdays,
        local_time=ids.OPTION_LOCAL_TIME in options,
        skip_weekends=ids.OPTION_SKIP_WEEKENDS in options,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        timezone=timezone,
    )
    return ParsedSchedule(request, {})


def handle_schedule_submission(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """Create the campaign, or show what to fix."""
    deps = deps_of(context)
    user_id = user_of(body, context)
    if not deps.roles.has_role(user_id, Role.TRAINER):
        ack(
            response_action="errors",
            errors={ids.B_CONTENT: "Only trainers can schedule nudges."},
        )
        return
    parsed = parse_schedule_form(view, deps.settings.timezone)
    if parsed.request is None:
        ack(response_action="errors", errors=parsed.errors)
        return
    service = nudges_of(deps)
    try:
        campaign = service.schedule(parsed.request, created_by=user_id)
    except ScheduleInputError as exc:
        errors: dict[str, str] = {}
        for key, message in exc.errors.items():
            errors.setdefault(ERROR_BLOCKS.get(key, ids.B_WHEN), message[:150])
        ack(response_action="errors", errors=errors)
        return
    logger.info("nudge campaign %s scheduled", campaign.id)
    ack(
        response_action="update",
        view=common.confirmation_view(
            "Nudge scheduled", nudge_schedule_blocks.scheduled_text(campaign)
        ),
    )


def handle_concern_submission(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """Store the concern scrubbed and pseudonymous; thank the person."""
    deps = deps_of(context)
    service = nudges_of(deps)
    text = str(_state(view, ids.B_CONCERN_TEXT).get("value") or "")
    topic = _selected(view, ids.B_CONCERN_TOPIC)
    share_name = "yes" in _checked(view, ids.B_CONCERN_NAME)
    raw_id = _metadata(view).get("delivery_id")
    delivery_id = raw_id if isinstance(raw_id, int) and raw_id > 0 else None
    outcome = service.concerns.record(
        team_id=team_of(body, context),
        user_id=user_of(body, context),
        text=text,
        topic=topic if topic in TOPICS else None,
        share_name=share_name,
        delivery_id=delivery_id,
    )
    if outcome is ConcernOutcome.EMPTY:
        ack(
            response_action="errors",
            errors={ids.B_CONCERN_TEXT: "Tell us what worries you — a sentence is enough."},
        )
        return
    if outcome is ConcernOutcome.TOO_LONG:
        ack(
            response_action="errors",
            errors={
                ids.B_CONCERN_TEXT: f"Please keep it under {service.concerns.max_length:,} characters."
            },
        )
        return
    logger.info("a concern was recorded (%s)", outcome.value)
    message = (
        "You already shared this — it is recorded once."
        if outcome is ConcernOutcome.DUPLICATE
        else "Thank you. Your concern is recorded and will be heard."
    )
    ack(
        response_action="update",
        view=common.confirmation_view(
            "Thank you",
            f"{message}\n\n{nudge_blocks.concern_protection(service.concerns.min_reporters)}",
        ),
    )
