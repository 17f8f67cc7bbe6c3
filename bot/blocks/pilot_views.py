"""How pilots look in Slack: the pilot view, the list, and the DMs its participants get."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.blocks.common import (
    MAX_MESSAGE_BLOCKS,
    MAX_VIEW_BLOCKS,
    Response,
    escape_mrkdwn,
    plain,
    to_dicts,
)
from bot.domain.impact import PULSE_BUCKETS
from bot.domain.kpis import sparkline
from bot.domain.pilots import VERDICTS, KpiView, PilotView
from bot.domain.text import shorten

STATUS_ICONS = {"running": "🟢", "planned": "🗓", "closed": "🏁"}


def _number(value: float | None, note: str | None) -> str:
    if value is None:
        return f"_{note or '—'}_"
    return f"{value:,.1f}".removesuffix(".0")


def kpi_line(kpi: KpiView) -> str:
    """`*Reports per week* (reports/week): baseline 6 → now 2 · target 3 ✅` and its chart."""
    met = {True: " ✅", False: "", None: ""}[kpi.met]
    chart = sparkline(kpi.series)
    line = (
        f"*{escape_mrkdwn(kpi.name)}* ({escape_mrkdwn(kpi.unit)}): baseline "
        f"{_number(kpi.baseline, kpi.baseline_note)} → now {_number(kpi.current, kpi.current_note)}"
        f" · target {_number(kpi.target, 'none')}{met}"
    )
    return line + (f"\n`{chart}`" if chart.strip() else "")


def _pilot_blocks(pilot: PilotView, *, controls: bool) -> list[Block]:
    icon = STATUS_ICONS.get(pilot.status, "")
    facts = (
        f"{icon} *{pilot.status.capitalize()}* · owner <@{pilot.owner}> · "
        f"{pilot.start:%d %b %Y} → {pilot.end:%d %b %Y} · pulses {pilot.pulse} "
        f"({pilot.pulses_sent} sent)"
    )
    blocks: list[Block] = [
        HeaderBlock(text=shorten(f"Pilot #{pilot.id}: {pilot.theme_title}", 150)),
        SectionBlock(
            text=MarkdownTextObject(
                text=shorten(f"*What we try:* {escape_mrkdwn(pilot.objective)}\n{facts}", 3000)
            )
        ),
    ]
    blocks += [
        SectionBlock(text=MarkdownTextObject(text=shorten(kpi_line(kpi), 3000)))
        for kpi in pilot.kpis[:20]
    ]
    if pilot.verdict:
        note = f" — {escape_mrkdwn(pilot.note)}" if pilot.note else ""
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=shorten(
                        f"*Verdict: {VERDICTS.get(pilot.verdict, pilot.verdict)}*{note}", 3000
                    )
                )
            )
        )
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Weekly chart: `·` a week with too few people to show; numbers from "
                    "people are shown only when enough of them answered or reported."
                )
            ]
        )
    )
    if controls and pilot.status != "closed":
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Baselines and targets", action_id=ids.PILOT_EDIT, value=str(pilot.id)
                    ),
                    ButtonElement(
                        text="Close the pilot", action_id=ids.PILOT_CLOSE, value=str(pilot.id)
                    ),
                ]
            )
        )
    return blocks


def pilot_message(pilot: PilotView, *, controls: bool = True) -> Response:
    """The pilot as a message (`/painpoint pilot <id>`)."""
    return f"Pilot #{pilot.id}: {pilot.theme_title}", to_dicts(
        _pilot_blocks(pilot, controls=controls)
    )


def pilot_view_modal(pilot: PilotView, *, controls: bool = True) -> dict[str, Any]:
    """The pilot in a modal (from the theme details)."""
    view = View(
        type="modal",
        title=shorten(f"Pilot #{pilot.id}", 24),
        close="Close",
        blocks=to_dicts(_pilot_blocks(pilot, controls=controls), MAX_VIEW_BLOCKS),
    )
    return view.to_dict()


def pilots_message(pilots: Sequence[PilotView]) -> Response:
    """Every pilot, newest first, with a button to open each."""
    if not pilots:
        text = "No pilots yet. Start one from a theme's *Details* in `/painpoint digest`."
        return plain(text), to_dicts([SectionBlock(text=MarkdownTextObject(text=text))])
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text="*Pilots*"))]
    for pilot in pilots[: MAX_MESSAGE_BLOCKS - 2]:
        verdict = f" · {VERDICTS.get(pilot.verdict or '', '')}" if pilot.verdict else ""
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=shorten(
                        f"*#{pilot.id}* {STATUS_ICONS.get(pilot.status, '')} "
                        f"{escape_mrkdwn(pilot.theme_title)} · {pilot.status}{verdict} · "
                        f"{pilot.start:%d %b} → {pilot.end:%d %b %Y}",
                        3000,
                    )
                ),
                accessory=ButtonElement(text="View", action_id=ids.PILOT_VIEW, value=str(pilot.id)),
            )
        )
    if len(pilots) > MAX_MESSAGE_BLOCKS - 2:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text="Older pilots: `painpoint pilots list`.")]
            )
        )
    return f"{len(pilots)} pilots", to_dicts(blocks)


# -- DMs to participants and reporters ----------------------------------------------------------
def pulse_message(pilot: PilotView, *, delivery_id: int, answer: str | None, k: int) -> Response:
    """The weekly pulse: one question, one tap; the chosen answer is marked."""
    title = escape_mrkdwn(shorten(pilot.theme_title, 150))
    question = f"How much time did *{title}* cost you this week?"
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=shorten(
                    f"*Pilot #{pilot.id}* — we are trying: {escape_mrkdwn(pilot.objective)}\n{question}",
                    3000,
                )
            )
        ),
        ActionsBlock(
            block_id=ids.PULSE_BLOCK,
            elements=[
                ButtonElement(
                    text=label,
                    action_id=f"{ids.PULSE_PREFIX}{key}",
                    value=f"{delivery_id}:{key}",
                    style="primary" if key == answer else None,
                )
                for key, (label, _) in PULSE_BUCKETS.items()
            ],
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=(
                        f"Noted: {PULSE_BUCKETS[answer][0]}. Tap again to change it. "
                        if answer
                        else ""
                    )
                    + f"Answers are only shown together, when at least {k} people answered. "
                    "Pause these with `/painpoint settings`."
                )
            ]
        ),
    ]
    return plain(f"Pilot #{pilot.id}: {question}"), to_dicts(blocks)


def pilot_started_message(pilot: PilotView) -> Response:
    """To participants and opted-in reporters when a pilot starts."""
    text = (
        f"Something is being done about *{escape_mrkdwn(shorten(pilot.theme_title, 200))}*: a "
        f"pilot runs from {pilot.start:%d %b} to {pilot.end:%d %b %Y}.\n"
        f"*What we try:* {escape_mrkdwn(pilot.objective)}"
    )
    if pilot.pulse != "no pulses":
        text += f"\nYou may get one short question {pilot.pulse}: one tap is enough."
    text += "\nYou get this because you take part or asked to be kept posted."
    return plain(shorten(text, 3000)), to_dicts(
        [SectionBlock(text=MarkdownTextObject(text=shorten(text, 3000)))]
    )


def pilot_closed_message(pilot: PilotView) -> Response:
    """To participants and opted-in reporters when a pilot closes: what was tried, what came of it."""
    verdict = VERDICTS.get(pilot.verdict or "", pilot.verdict or "")
    outcome = {
        "scale": "It worked, so it will be rolled out.",
        "iterate": "It helped in part, so it will be changed and tried again.",
        "stop": "It did not help enough, so it stops here and the problem goes back for review.",
    }.get(pilot.verdict or "", "")
    lines = [
        f"The pilot on *{escape_mrkdwn(shorten(pilot.theme_title, 200))}* has ended.",
        f"*What we tried:* {escape_mrkdwn(pilot.objective)}",
        f"*What came of it:* {verdict}. {outcome}"
        + (f"\n{escape_mrkdwn(pilot.note)}" if pilot.note else ""),
    ]
    results = [
        f"• {escape_mrkdwn(k.name)}: {_number(k.baseline, 'no baseline')} → {_number(k.current, k.current_note)}"
        for k in pilot.kpis
    ]
    if results:
        lines.append("*Measured:*\n" + "\n".join(results))
    lines.append("Thank you for taking part or speaking up.")
    text = shorten("\n".join(lines), 3000)
    return plain(text), to_dicts([SectionBlock(text=MarkdownTextObject(text=text))])
