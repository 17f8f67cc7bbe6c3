"""The pilot forms: start a pilot from a theme, adjust its KPIs, close it with a verdict."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    PlainTextInputElement,
    StaticSelectElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.blocks.common import MAX_VIEW_BLOCKS, escape_mrkdwn, option, to_dicts
from bot.domain.kpis import BY_HAND, too_few
from bot.domain.pilots import (
    BUILT_IN_KPIS,
    DEFAULT_LENGTH,
    MAX_NOTE,
    MAX_OBJECTIVE,
    PULSES,
    VERDICTS,
    PilotDefaults,
    PilotView,
)
from bot.domain.text import shorten

BASELINE = "baseline"
TARGET = "target"
NAME = "name"
UNIT = "unit"


def block_id(group: str, part: str) -> str:
    """The id of one of a KPI's input blocks (`pilot_reports_target`…)."""
    return f"{group}_{part}"


def _number(
    group: str, part: str, label: str, initial: float | None, hint: str | None
) -> InputBlock:
    return InputBlock(
        block_id=block_id(group, part),
        label=label,
        optional=True,
        hint=hint,
        element=NumberInputElement(
            action_id=ids.VALUE,
            is_decimal_allowed=True,
            initial_value=None if initial is None else f"{initial:g}",
        ),
    )


def _checkbox(value: str, label: str, description: str | None = None) -> Any:
    return option(value, label, description)


def _kpi_blocks(defaults: PilotDefaults, min_reporters: int) -> list[Block]:
    """Which KPIs, their baselines (prefilled from history) and targets, and a custom one."""
    options = [
        _checkbox(key, description[:75], unit) for key, (unit, description) in BUILT_IN_KPIS.items()
    ]

    def hint(kind: str) -> str:
        value = defaults.baselines.get(kind)
        if value is None:
            return "No baseline from history yet (" + too_few(min_reporters) + " or no data)."
        return f"From the theme's history: {value:g}. Change it if you know better."

    reports, hours = defaults.baselines.get("reports"), defaults.baselines.get("hours")
    return [
        InputBlock(
            block_id=ids.B_PILOT_KPIS,
            label="Measured for you",
            optional=True,
            element=CheckboxesElement(
                action_id=ids.VALUE, options=options, initial_options=options
            ),
        ),
        _number(
            ids.B_PILOT_REPORTS, BASELINE, "Reports a week: baseline", reports, hint("reports")
        ),
        _number(ids.B_PILOT_REPORTS, TARGET, "Reports a week: target", None, None),
        _number(
            ids.B_PILOT_HOURS, BASELINE, "Hours a week per person: baseline", hours, hint("hours")
        ),
        _number(ids.B_PILOT_HOURS, TARGET, "Hours a week per person: target", None, None),
        InputBlock(
            block_id=block_id(ids.B_PILOT_CUSTOM, NAME),
            label="Your own KPI (optional): name",
            optional=True,
            hint="You log its values with /painpoint pilot log.",
            element=PlainTextInputElement(
                action_id=ids.VALUE, max_length=64, placeholder="e.g. Invoice cycle time"
            ),
        ),
        InputBlock(
            block_id=block_id(ids.B_PILOT_CUSTOM, UNIT),
            label="Its unit",
            optional=True,
            element=PlainTextInputElement(
                action_id=ids.VALUE, max_length=32, placeholder="e.g. days"
            ),
        ),
        _number(ids.B_PILOT_CUSTOM, BASELINE, "Its baseline", None, None),
        _number(ids.B_PILOT_CUSTOM, TARGET, "Its target", None, None),
    ]


def _who_and_when_blocks(today: date) -> list[Block]:
    """Dates, participants (people, user groups, opted-in reporters) and the pulse."""
    reporters = option("yes", "Include the reporters who asked to be kept posted")
    pulse_options = [option(key, label.capitalize()) for key, label in PULSES.items()]
    return [
        InputBlock(
            block_id=ids.B_PILOT_START,
            label="Start",
            element=DatePickerElement(action_id=ids.VALUE, initial_date=today.isoformat()),
        ),
        InputBlock(
            block_id=ids.B_PILOT_END,
            label="End",
            element=DatePickerElement(
                action_id=ids.VALUE, initial_date=(today + DEFAULT_LENGTH).isoformat()
            ),
        ),
        InputBlock(
            block_id=ids.B_PILOT_PEOPLE,
            label="Participants",
            optional=True,
            element=UserMultiSelectElement(action_id=ids.VALUE, placeholder="People in the pilot"),
        ),
        InputBlock(
            block_id=ids.B_PILOT_GROUPS,
            label="User groups",
            optional=True,
            hint="User-group ids (S…), separated by commas.",
            element=PlainTextInputElement(action_id=ids.VALUE, max_length=500),
        ),
        InputBlock(
            block_id=ids.B_PILOT_REPORTERS,
            label="Reporters",
            optional=True,
            element=CheckboxesElement(
                action_id=ids.VALUE, options=[reporters], initial_options=[reporters]
            ),
        ),
        InputBlock(
            block_id=ids.B_PILOT_PULSE,
            label="Pulse to participants",
            hint="One question by DM in each person's own working hours: "
            "how much time did it cost this week?",
            element=StaticSelectElement(
                action_id=ids.VALUE, options=pulse_options, initial_option=pulse_options[0]
            ),
        ),
    ]


def pilot_modal(
    defaults: PilotDefaults, *, owner: str, today: date, min_reporters: int
) -> dict[str, Any]:
    """The "Start a pilot" form, prefilled with baselines from the theme's history."""
    blocks: list[Block] = [
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Theme *{escape_mrkdwn(shorten(defaults.theme_title, 200))}* · starting a "
                    "pilot sets it to _Piloting_ and tells the people who asked to be kept posted."
                )
            ]
        ),
        InputBlock(
            block_id=ids.B_PILOT_OBJECTIVE,
            label="What will you try?",
            element=PlainTextInputElement(
                action_id=ids.VALUE,
                multiline=True,
                max_length=MAX_OBJECTIVE,
                placeholder="e.g. Invoices arrive through the supplier portal instead of e-mail",
            ),
        ),
        InputBlock(
            block_id=ids.B_PILOT_OWNER,
            label="Owner",
            element=UserSelectElement(action_id=ids.VALUE, initial_user=owner),
        ),
        *_kpi_blocks(defaults, min_reporters),
        *_who_and_when_blocks(today),
    ]
    view = View(
        type="modal",
        callback_id=ids.PILOT_MODAL,
        title="Start a pilot",
        submit="Start",
        close="Cancel",
        private_metadata=json.dumps({"theme_id": defaults.theme_id}),
        blocks=to_dicts(blocks, MAX_VIEW_BLOCKS),
    )
    return view.to_dict()


def close_modal(pilot_id: int, title: str) -> dict[str, Any]:
    """Close a pilot: the verdict and a note for the people who took part."""
    verdicts = [
        option("scale", "Scale", "It works: roll it out"),
        option("iterate", "Iterate", "Promising: change it and try again"),
        option("stop", "Stop", "It did not help"),
    ]
    assert [o.value for o in verdicts] == list(VERDICTS)
    blocks: list[Block] = [
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Pilot *#{pilot_id}* on *{escape_mrkdwn(shorten(title, 200))}*. The "
                    "participants and the reporters who asked to be kept posted get one message "
                    "with what was tried and what came of it."
                )
            ]
        ),
        InputBlock(
            block_id=ids.B_PILOT_VERDICT,
            label="Verdict",
            element=StaticSelectElement(action_id=ids.VALUE, options=verdicts),
        ),
        InputBlock(
            block_id=ids.B_PILOT_NOTE,
            label="What came of it",
            optional=True,
            element=PlainTextInputElement(action_id=ids.VALUE, multiline=True, max_length=MAX_NOTE),
        ),
    ]
    view = View(
        type="modal",
        callback_id=ids.PILOT_CLOSE_MODAL,
        title="Close the pilot",
        submit="Close pilot",
        close="Cancel",
        private_metadata=json.dumps({"pilot_id": pilot_id}),
        blocks=to_dicts(blocks, MAX_VIEW_BLOCKS),
    )
    return view.to_dict()


def kpi_edit_modal(pilot: PilotView) -> dict[str, Any]:
    """Change each KPI's baseline and target; an empty baseline follows the theme's history."""
    blocks: list[Block] = [
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Pilot *#{pilot.id}* on *{escape_mrkdwn(shorten(pilot.theme_title, 200))}*."
                    " Leave a baseline empty to have it measured: from the theme's history, or"
                    " for your own KPI the last value logged before the start."
                )
            ]
        )
    ]
    for position, kpi in enumerate(pilot.kpis[:20]):
        group = f"{ids.B_PILOT_KPI}{position}"
        by_hand = kpi.baseline_note == BY_HAND
        measured = (
            None
            if by_hand or kpi.baseline is None
            else f"Measured: {kpi.baseline:g} {kpi.unit} ({kpi.baseline_note})"
        )
        label = shorten(kpi.name, 120)
        blocks += [
            _number(
                group, BASELINE, f"{label}: baseline", kpi.baseline if by_hand else None, measured
            ),
            _number(group, TARGET, f"{label}: target", kpi.target, None),
        ]
    view = View(
        type="modal",
        callback_id=ids.PILOT_EDIT_MODAL,
        title="Baselines and targets",
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps(
            {"pilot_id": pilot.id, "kpis": [k.name for k in pilot.kpis[:20]]}
        ),
        blocks=to_dicts(blocks, MAX_VIEW_BLOCKS),
    )
    return view.to_dict()
