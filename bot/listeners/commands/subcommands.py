"""`/painpoint help | mine | settings | delete N | privacy | forget`: anyone's own, answered in
the acknowledgement."""

from __future__ import annotations

from bot.blocks import capture as blocks
from bot.blocks.common import notice
from bot.blocks.nudge import settings_message
from bot.blocks.privacy import forget_confirmation, privacy_message
from bot.domain.roles import Role
from bot.listeners.commands.parse import parse_painpoint_number
from bot.listeners.context import CommandRequest, Reply

DELETE_USAGE = "Usage: `/painpoint delete <number>` — see your numbers with `/painpoint mine`."
USAGES = {
    "digest": "`/painpoint digest [7d|30d|90d|all] [team]`",
    "report": "`/painpoint report [7d|30d|90d|all] [team]`",
    "delete": "`/painpoint delete <number>`",
    "help": "`/painpoint help`",
    "mine": "`/painpoint mine`",
    "settings": "`/painpoint settings`",
    "privacy": "`/painpoint privacy`",
    "forget": "`/painpoint forget`",
    "pilots": "`/painpoint pilots`",
    "pilot": "`/painpoint pilot <number>` or `/painpoint pilot log <number> <KPI> <value>`",
}


def did_you_mean(name: str) -> str:
    """The offer that follows a report starting with a sub-command's name."""
    return (
        f"I recorded that as a pain point. If you meant the *{name}* sub-command, it is "
        f"{USAGES[name]}. Wrong? Undo it with the button above."
    )


def help_reply(request: CommandRequest) -> Reply:
    """How to report, and the manager commands for managers."""
    is_manager = request.deps.roles.has_role(request.user_id, Role.MANAGER)
    return blocks.help_message(is_manager=is_manager, wording=request.deps.wording)


def mine_reply(request: CommandRequest) -> Reply:
    """The person's own recent reports and their status."""
    mine = request.deps.capture.list_mine(
        team_id=request.team_id, user_id=request.user_id, limit=20
    )
    return blocks.mine_message(mine)


def settings_reply(request: CommandRequest) -> Reply:
    """Whether nudges are on, and the button to change that."""
    nudges = request.deps.nudges
    if nudges is None:
        return notice("Nudges are not set up in this workspace.")
    return settings_message(paused=nudges.is_paused(request.user_id))


def delete_reply(request: CommandRequest) -> Reply:
    """Erase one of the person's own reports for good."""
    number = parse_painpoint_number(request.argument)
    if number is None:
        return notice(DELETE_USAGE)
    if request.deps.capture.delete(
        team_id=request.team_id, user_id=request.user_id, painpoint_id=number
    ):
        return notice(f"Pain point *#{number}* is erased for good.")
    return notice(
        f"You have no pain point *#{number}*. You can only erase your own; "
        "see them with `/painpoint mine`."
    )


def privacy_reply(request: CommandRequest) -> Reply:
    """What is stored, who sees what, and the minimum-reporter rule."""
    return privacy_message(request.deps.wording)


def forget_reply(request: CommandRequest) -> Reply:
    """What `/painpoint forget` would erase (counted, nothing changed) and the button."""
    erasure = request.deps.erasure
    if erasure is None:
        return notice("Erasing is not set up here; ask the people who run painpoint.")
    found = erasure.erase(request.user_id, team_keys=[request.team_id], dry_run=True)
    return forget_confirmation(found)
