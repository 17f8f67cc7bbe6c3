"""Small helpers to read plain values out of Bolt's context and payloads."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.deps import Deps


def deps_of(context: BoltContext) -> Deps:
    """The app's services, put into every request's context by a middleware."""
    deps = context["deps"]
    assert isinstance(deps, Deps)
    return deps


def team_of(body: dict[str, Any], context: BoltContext) -> str:
    """The workspace id of a request, whatever its payload shape."""
    team = context.team_id or body.get("team_id") or (body.get("team") or {}).get("id")
    return str(team or "T0")


def user_of(body: dict[str, Any], context: BoltContext) -> str:
    """The acting user's id."""
    user = context.user_id or body.get("user_id") or (body.get("user") or {}).get("id")
    if not user:
        raise ValueError("request carries no user")
    return str(user)
