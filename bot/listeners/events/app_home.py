"""App Home: what the bot is for, how reports are protected, and the user's own reports."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.blocks.capture import home_view
from bot.deps import Deps
from bot.listeners.context import deps_of, team_of


def publish_home(deps: Deps, client: WebClient, team_id: str, user_id: str) -> None:
    """Render and publish the Home tab for one user."""
    mine = deps.capture.list_mine(team_id=team_id, user_id=user_id, limit=15)
    client.views_publish(user_id=user_id, view=home_view(mine, wording=deps.wording))


def handle_app_home_opened(
    event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Publish the Home tab when it is opened (the Messages tab needs nothing)."""
    if event.get("tab", "home") != "home":
        return
    publish_home(deps_of(context), client, team_of(body, context), str(event["user"]))
