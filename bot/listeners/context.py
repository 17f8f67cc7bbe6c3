"""Small helpers to read plain values out of Bolt's context and payloads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.domain.roles import Role
from bot.services.nudges import NudgeService

Reply = tuple[str, list[dict[str, Any]]]


def deps_of(context: BoltContext) -> Deps:
    """The app's services, put into every request's context by a middleware."""
    deps = context["deps"]
    assert isinstance(deps, Deps)
    return deps


def nudges_of(deps: Deps) -> NudgeService:
    """The nudge service; every app built by create_app has one."""
    if deps.nudges is None:
        raise RuntimeError("this app was built without the nudge service")
    return deps.nudges


def team_of(body: dict[str, Any], context: BoltContext) -> str:
    """Whose data this is: the Enterprise Grid org when there is one, else the workspace.

    One person in an org-wide install is one reporter across the org's workspaces.
    """
    enterprise = (
        context.enterprise_id
        or body.get("enterprise_id")
        or (body.get("enterprise") or {}).get("id")
    )
    if enterprise:
        return f"E:{enterprise}"
    team = context.team_id or body.get("team_id") or (body.get("team") or {}).get("id")
    return str(team or "T0")


def user_of(body: dict[str, Any], context: BoltContext) -> str:
    """The acting user's id."""
    user = context.user_id or body.get("user_id") or (body.get("user") or {}).get("id")
    if not user:
        raise ValueError("request carries no user")
    return str(user)


@dataclass(frozen=True)
class CommandRequest:
    """A `/painpoint` sub-command as its handler needs it."""

    deps: Deps
    team_id: str
    user_id: str
    argument: str
    client: WebClient
    respond: Respond


Handler = Callable[[CommandRequest], Reply | None]


@dataclass(frozen=True)
class Subcommand:
    """A sub-command: who may run it (None: anyone), what it does, and, for loose forms,
    whether its words are really its arguments (else the text is a report). `after_ack`: it
    checks roles or reads more than a little itself, so it is answered after the ack."""

    role: Role | None
    run: Handler
    accepts: Callable[[Deps, str], bool] | None = None
    after_ack: bool = False
