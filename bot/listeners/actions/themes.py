"""A manager corrects a theme from its details modal: rename, merge, split, lens, and moving a
quoted report to another theme (managers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks.capture import role_refusal_text
from bot.blocks.themes import rename_view
from bot.deps import Deps
from bot.domain.lenses import LENSES
from bot.domain.roles import Role
from bot.domain.themes import InsightReport
from bot.listeners.actions.digest import NOT_AVAILABLE
from bot.listeners.context import deps_of
from bot.listeners.guard import tell
from bot.services.lenses import LensError
from bot.services.theme_corrections import Correction, CorrectionError, ThemeCorrections


def _action(body: dict[str, Any]) -> dict[str, Any]:
    return dict((body.get("actions") or [{}])[0])


def _chosen(body: dict[str, Any]) -> tuple[str, str]:
    """A select's chosen value `<theme>:<choice>` as its two parts."""
    value = str((_action(body).get("selected_option") or {}).get("value") or "")
    head, _, tail = value.partition(":")
    return head, tail


def _manager(deps: Deps, body: dict[str, Any], client: WebClient, respond: Respond) -> str | None:
    user_id = str((body.get("user") or {}).get("id") or "")
    if deps.roles.has_role(user_id, Role.MANAGER):
        return user_id
    tell(body, client, respond, role_refusal_text(Role.MANAGER))
    return None


def _shown(
    deps: Deps, body: dict[str, Any], client: WebClient, respond: Respond, *theme_ids: int
) -> bool:
    """Whether every theme named passes the k rule now (a forged click may name any id)."""
    if deps.insights.report(period="all").shows(*theme_ids):
        return True
    tell(body, client, respond, NOT_AVAILABLE)
    return False


def _tell_outcome(
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    change: Callable[[], str],
) -> None:
    """Make the change and tell the manager what it did, or why it could not be done."""
    try:
        message = change()
    except (CorrectionError, LensError) as exc:
        reason = f"{str(exc)[:1].upper()}{str(exc)[1:]}"
        tell(body, client, respond, reason if reason.endswith(".") else f"{reason}.")
        return
    tell(body, client, respond, message, title="Done")


def handle_rename(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Ask for the new title in a modal pushed over the details."""
    ack()
    deps = deps_of(context)
    if _manager(deps, body, client, respond) is None:
        return
    value = str(_action(body).get("value") or "")
    if not value.isdigit() or not _shown(deps, body, client, respond, int(value)):
        return
    title = deps.theme_status.title_of(int(value))
    client.views_push(trigger_id=body["trigger_id"], view=rename_view(int(value), title))


def handle_split(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Split the theme in two (the button asked for confirmation first)."""
    ack()
    deps = deps_of(context)
    actor = _manager(deps, body, client, respond)
    value = str(_action(body).get("value") or "")
    if actor is None or not value.isdigit():
        return
    if not _shown(deps, body, client, respond, int(value)):
        return
    _tell_outcome(
        body,
        client,
        respond,
        lambda: deps.corrections.split(theme_id=int(value), actor=actor).message,
    )


# A correction chosen in a select whose value is `<first id>:<second id>`.
ChoiceCorrection = Callable[[ThemeCorrections, int, int, str], Correction]
# Whether the details modal could have offered those two ids (a forged payload names any).
Offered = Callable[[InsightReport, int, int], bool]


def _choice_listener(
    change: ChoiceCorrection, offered: Offered, refusal: str, doc: str
) -> Callable[..., None]:
    """A listener for a select whose chosen value names the two ids `change` needs."""

    def listener(
        ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> None:
        ack()
        deps = deps_of(context)
        actor = _manager(deps, body, client, respond)
        first, second = _chosen(body)
        if actor is None or not (first.isdigit() and second.isdigit()):
            return
        if not offered(deps.insights.report(period="all"), int(first), int(second)):
            tell(body, client, respond, refusal)
            return
        corrections = deps.corrections
        _tell_outcome(
            body,
            client,
            respond,
            lambda: change(corrections, int(first), int(second), actor).message,
        )

    listener.__doc__ = doc
    return listener


def _quoted(report: InsightReport, painpoint_id: int, theme_id: int) -> bool:
    """A quote the details show (of a theme passing the k rule), moved to a shown theme."""
    quoted = {quote for theme in report.themes for quote in theme.quote_ids if quote is not None}
    return painpoint_id in quoted and report.shows(theme_id)


handle_merge = _choice_listener(
    lambda corrections, source, target, actor: corrections.merge(
        into=target, others=[source], actor=actor
    ),
    lambda report, source, target: report.shows(source, target),
    NOT_AVAILABLE,
    "Merge this theme into the one chosen in the select.",
)
handle_move = _choice_listener(
    lambda corrections, report, theme, actor: corrections.move(
        painpoint_id=report, theme_id=theme, actor=actor
    ),
    _quoted,
    "That report is no longer quoted in a theme you can see; open the theme again.",
    "Move the quoted report to the theme chosen in its select, for good.",
)


def handle_lens(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
) -> None:
    """Set the audit lens of every report of the theme (source: manager)."""
    ack()
    deps = deps_of(context)
    actor = _manager(deps, body, client, respond)
    theme, lens = _chosen(body)
    lenses = deps.lenses
    if actor is None or not theme.isdigit() or lens not in LENSES or lenses is None:
        return
    if not _shown(deps, body, client, respond, int(theme)):
        return

    def set_lens() -> str:
        changed = lenses.set_theme_lens(theme_id=int(theme), lens=lens, actor=actor)
        return f"Theme #{theme}: {changed} reports now count under {LENSES[lens]}."

    _tell_outcome(body, client, respond, set_lens)
