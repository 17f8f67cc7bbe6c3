"""Submitting the pilot forms: start, adjust KPIs, close. Roles are checked again here.

Slack may deliver a submission twice; each is claimed under the view id and a hash of its
values first, so a replay answers like the original and creates nothing twice.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.blocks import ids
from bot.blocks.common import confirmation_view
from bot.blocks.pilots import BASELINE, NAME, TARGET, UNIT, block_id
from bot.domain.pilots import (
    BUILT_IN_KPIS,
    PilotDraft,
    PilotError,
    parse_kpi,
    parse_participants,
)
from bot.domain.roles import Role
from bot.listeners.commands.pilots import may_manage, pilots_of
from bot.listeners.context import deps_of, user_of
from bot.services.pilots import AlreadyDone


def _state(view: dict[str, Any], block: str) -> dict[str, Any]:
    values = (view.get("state") or {}).get("values") or {}
    return dict((values.get(block) or {}).get(ids.VALUE) or {})


def _metadata(view: dict[str, Any], key: str) -> int | None:
    try:
        value = json.loads(view.get("private_metadata") or "{}").get(key)
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def claim_key(view: dict[str, Any]) -> str:
    """`<view id>:<hash of the submitted values>`: equal for a replay, new for an edit."""
    values = json.dumps((view.get("state") or {}).get("values") or {}, sort_keys=True)
    return f"{view.get('id') or 'view'}:{hashlib.sha256(values.encode()).hexdigest()[:32]}"


@dataclass(frozen=True)
class ParsedPilot:
    """The start form as a draft, or errors keyed by block id."""

    draft: PilotDraft | None
    errors: dict[str, str]


def _number(view: dict[str, Any], block: str, errors: dict[str, str]) -> float | None:
    raw = _state(view, block).get("value")
    if raw in (None, ""):
        return None
    try:
        return float(str(raw).replace(",", "."))
    except ValueError:
        errors[block] = "Enter a number."
        return None


def _kpis(
    view: dict[str, Any], errors: dict[str, str]
) -> tuple[list[str], dict[str, float], dict[str, float]]:
    """KPI specs, targets and baselines from the form."""
    chosen = [o.get("value") for o in _state(view, ids.B_PILOT_KPIS).get("selected_options") or []]
    specs = [str(key) for key in chosen if key in BUILT_IN_KPIS]
    targets: dict[str, float] = {}
    baselines: dict[str, float] = {}
    groups = {"reports": ids.B_PILOT_REPORTS, "hours": ids.B_PILOT_HOURS}
    name = " ".join(
        str(_state(view, block_id(ids.B_PILOT_CUSTOM, NAME)).get("value") or "").split()
    )
    unit = " ".join(
        str(_state(view, block_id(ids.B_PILOT_CUSTOM, UNIT)).get("value") or "").split()
    )
    if name or unit:
        spec = f"custom:{name}:{unit or 'value'}"
        try:
            parse_kpi(spec)
        except PilotError as exc:
            errors[block_id(ids.B_PILOT_CUSTOM, NAME)] = str(exc)[:150]
        else:
            specs.append(spec)
            groups[name] = ids.B_PILOT_CUSTOM
    for kpi, group in groups.items():
        for part, into in ((BASELINE, baselines), (TARGET, targets)):
            value = _number(view, block_id(group, part), errors)
            if value is not None and (kpi in specs or group == ids.B_PILOT_CUSTOM):
                into[kpi] = value
    return specs, targets, baselines


def parse_pilot_form(view: dict[str, Any], owner_fallback: str) -> ParsedPilot:
    """Read and check the start form; never raises on malformed input."""
    errors: dict[str, str] = {}
    theme_id = _metadata(view, "theme_id")
    objective = str(_state(view, ids.B_PILOT_OBJECTIVE).get("value") or "").strip()
    if not objective:
        errors[ids.B_PILOT_OBJECTIVE] = "Say what the pilot will try."
    owner = str(_state(view, ids.B_PILOT_OWNER).get("selected_user") or owner_fallback)
    specs, targets, baselines = _kpis(view, errors)
    if not specs:
        errors[ids.B_PILOT_KPIS] = "Choose at least one KPI, or name your own below."
    dates = {}
    for block in (ids.B_PILOT_START, ids.B_PILOT_END):
        raw = _state(view, block).get("selected_date")
        try:
            dates[block] = date.fromisoformat(str(raw))
        except ValueError:
            errors[block] = "Pick a date."
    people = list(_state(view, ids.B_PILOT_PEOPLE).get("selected_users") or [])
    try:
        participants = parse_participants(
            [*people, str(_state(view, ids.B_PILOT_GROUPS).get("value") or "")]
        )
    except PilotError as exc:
        errors[ids.B_PILOT_GROUPS] = str(exc)[:150]
        participants = []
    reporters = bool(_state(view, ids.B_PILOT_REPORTERS).get("selected_options"))
    pulse = str(
        (_state(view, ids.B_PILOT_PULSE).get("selected_option") or {}).get("value") or "weekly"
    )
    if theme_id is None:
        errors[ids.B_PILOT_OBJECTIVE] = "This form is out of date; open it again."
    if errors:
        return ParsedPilot(None, errors)
    assert theme_id is not None
    draft = PilotDraft(
        theme_id=theme_id,
        owner=owner,
        objective=objective,
        kpis=tuple(parse_kpi(spec) for spec in specs),
        start=dates[ids.B_PILOT_START],
        end=dates[ids.B_PILOT_END],
        targets=targets,
        baselines=baselines,
        participants=tuple(participants),
        include_reporters=reporters,
        pulse=pulse,
    )
    try:
        draft.check()
    except PilotError as exc:
        block = ids.B_PILOT_END if "before the start" in str(exc) else ids.B_PILOT_OBJECTIVE
        return ParsedPilot(None, {block: str(exc)[:150]})
    return ParsedPilot(draft, {})


def handle_pilot_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    """Start the pilot and say so in the form; problems stay in the form."""
    deps = deps_of(context)
    user_id = user_of(body, context)
    if not deps.roles.has_role(user_id, Role.MANAGER):
        ack(
            response_action="errors",
            errors={ids.B_PILOT_OBJECTIVE: "Only managers can start pilots."},
        )
        return
    parsed = parse_pilot_form(view, user_id)
    if parsed.draft is None:
        ack(response_action="errors", errors=parsed.errors)
        return
    try:
        pilot = pilots_of(deps).create(parsed.draft, created_by=user_id, claim_key=claim_key(view))
    except AlreadyDone:
        ack(
            response_action="update",
            view=confirmation_view("Pilot started", "This pilot is already started."),
        )
        return
    except PilotError as exc:
        ack(response_action="errors", errors={ids.B_PILOT_OBJECTIVE: str(exc)[:150]})
        return
    ack(
        response_action="update",
        view=confirmation_view(
            "Pilot started",
            f"Pilot *#{pilot.id}* on *{pilot.theme_title}* runs {pilot.start:%d %b} → "
            f"{pilot.end:%d %b %Y}; the theme is now _Piloting_. See it any time with "
            f"`/painpoint pilot {pilot.id}`.",
        ),
    )


def handle_close_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    """Close the pilot with its verdict; the closing DMs go out through the outbox."""
    deps = deps_of(context)
    user_id = user_of(body, context)
    pilot_id = _metadata(view, "pilot_id")
    if not may_manage(deps, user_id, pilot_id):
        ack(
            response_action="errors",
            errors={ids.B_PILOT_VERDICT: "Only managers and the pilot's owner can close it."},
        )
        return
    verdict = str(
        (_state(view, ids.B_PILOT_VERDICT).get("selected_option") or {}).get("value") or ""
    )
    note = str(_state(view, ids.B_PILOT_NOTE).get("value") or "")
    assert pilot_id is not None
    try:
        result = pilots_of(deps).close(
            pilot_id, verdict=verdict, note=note, actor=user_id, claim_key=claim_key(view)
        )
    except AlreadyDone:
        ack(
            response_action="update",
            view=confirmation_view("Pilot closed", "This pilot is already closed."),
        )
        return
    except PilotError as exc:
        ack(response_action="errors", errors={ids.B_PILOT_VERDICT: str(exc)[:150]})
        return
    ack(
        response_action="update",
        view=confirmation_view(
            "Pilot closed",
            f"Pilot *#{result.pilot.id}* is closed. The participants and the reporters who "
            "asked to be kept posted will get one message with what was tried and what came of it.",
        ),
    )


def handle_edit_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    """Save the KPIs' baselines and targets; an empty baseline follows the theme's history."""
    deps = deps_of(context)
    user_id = user_of(body, context)
    pilot_id = _metadata(view, "pilot_id")
    first = block_id(f"{ids.B_PILOT_KPI}0", BASELINE)
    if not may_manage(deps, user_id, pilot_id):
        ack(
            response_action="errors",
            errors={first: "Only managers and the pilot's owner can change it."},
        )
        return
    try:
        names = json.loads(view.get("private_metadata") or "{}").get("kpis")
    except (ValueError, AttributeError):
        names = None
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        ack(response_action="errors", errors={first: "This form is out of date; open it again."})
        return
    errors: dict[str, str] = {}
    edits = {
        name: {
            part: _number(view, block_id(f"{ids.B_PILOT_KPI}{position}", part), errors)
            for part in (BASELINE, TARGET)
        }
        for position, name in enumerate(names[:20])
    }
    if errors:
        ack(response_action="errors", errors=errors)
        return
    assert pilot_id is not None
    try:
        pilot = pilots_of(deps).set_kpis(pilot_id, edits, actor=user_id)
    except PilotError as exc:
        ack(response_action="errors", errors={first: str(exc)[:150]})
        return
    ack(
        response_action="update",
        view=confirmation_view(
            "Pilot updated",
            f"Pilot *#{pilot.id}*: baselines and targets saved. "
            f"See it with `/painpoint pilot {pilot.id}`.",
        ),
    )
