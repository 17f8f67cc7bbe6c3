"""`/painpoint pilots`, `/painpoint pilot <n>` and `/painpoint pilot log <n> <KPI> <value>`.

Managers see every pilot; a pilot's owner may see theirs and log its values. Everyone else
gets the same polite refusal, which reveals nothing about pilots.
"""

from __future__ import annotations

from bot.blocks.capture import role_refusal
from bot.blocks.common import notice
from bot.blocks.pilot_views import pilot_message, pilots_message
from bot.deps import Deps
from bot.domain.pilots import PilotError, parse_number
from bot.domain.roles import Role
from bot.listeners.commands.parse import PILOT_LOG, parse_painpoint_number
from bot.listeners.context import CommandRequest, Reply
from bot.listeners.reads import record_read
from bot.services.pilots import PilotService


def pilots_of(deps: Deps) -> PilotService:
    """The pilot service; every app built by create_app has one."""
    if deps.pilots is None:
        raise RuntimeError("this app was built without the pilot service")
    return deps.pilots


def may_manage(deps: Deps, user_id: str, pilot_id: int | None) -> bool:
    """Managers, and the pilot's owner for their own pilot."""
    if deps.roles.has_role(user_id, Role.MANAGER):
        return True
    return pilot_id is not None and pilots_of(deps).may_manage(pilot_id, user_id)


def handle_pilots(request: CommandRequest) -> Reply:
    """Every pilot, newest first (managers; owners see their own)."""
    deps = request.deps
    manager = deps.roles.has_role(request.user_id, Role.MANAGER)
    # The role decides what is read: anyone else reads only the pilots they own.
    pilots = pilots_of(deps).views(owner=None if manager else request.user_id)
    if not manager and not pilots:
        return role_refusal(Role.MANAGER)
    record_read(deps, request.user_id, "pilots", shown=len(pilots))
    return pilots_message(pilots)


def handle_pilot(request: CommandRequest) -> Reply:
    """Show one pilot, or log a value of one of its own KPIs."""
    deps = request.deps
    log = PILOT_LOG.fullmatch(request.argument)
    number = int(log.group(1)) if log else parse_painpoint_number(request.argument)
    if not may_manage(deps, request.user_id, number):
        return role_refusal(Role.MANAGER)
    assert number is not None
    service = pilots_of(deps)
    if log is None:
        pilot = service.get(number)
        if pilot is None:
            return notice(f"There is no pilot *#{number}*. See them with `/painpoint pilots`.")
        record_read(deps, request.user_id, "pilot", pilot=number)
        return pilot_message(pilot)
    value = parse_number(log.group(3))
    if value is None:
        return notice("Give the value as a number, e.g. `/painpoint pilot log 3 cycle time 4.5`.")
    try:
        pilot = service.log_value(number, log.group(2), value, on=None, actor=request.user_id)
    except PilotError as exc:
        return notice(f"Not logged: {exc}.")
    kpi = pilot.kpi(" ".join(log.group(2).split()))
    unit = f" {kpi.unit}" if kpi else ""
    return notice(f"Logged {value:g}{unit} for *{log.group(2).strip()}* on pilot *#{number}*.")
