"""Audiences: parsing `U…,C…,S…,theme:N` and expanding them into user ids at each run."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial

from slack_sdk import WebClient
from sqlalchemy import select

from bot.db.models import PainPoint
from bot.db.session import SessionFactory
from bot.services.visibility import is_shown
from bot.slack.gate import SlackCallError, SlackGate

logger = logging.getLogger(__name__)


@dataclass
class Expansion:
    """The people an audience means right now, and the entries that could not be resolved."""

    users: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class AudienceResolver:
    """Resolves channels, user groups and themes into user ids (deduplicated, in order)."""

    def __init__(
        self,
        session_factory: SessionFactory,
        client: WebClient,
        gate: SlackGate,
        *,
        bot_user_id: str | None = None,
        page_size: int = 200,
        min_reporters: int,
    ) -> None:
        self._session_factory = session_factory
        self._min_reporters = min_reporters
        self._client = client
        self._gate = gate
        self._bot_user_id = bot_user_id
        self._page_size = page_size

    def expand(self, audience: Sequence[str]) -> Expansion:
        """Every member now; an unresolvable entry is recorded and the rest still go out."""
        result = Expansion()
        seen: set[str] = set()

        def add(users: Iterable[str]) -> None:
            for user in users:
                if user and user not in seen and user != self._bot_user_id:
                    seen.add(user)
                    result.users.append(user)

        for entry in audience:
            try:
                if entry.startswith("theme:"):
                    add(self._theme_reporters(int(entry.removeprefix("theme:"))))
                elif entry[0] in {"U", "W"}:
                    add([entry])
                elif entry[0] in {"C", "G"}:
                    add(self._channel_members(entry))
                elif entry[0] == "S":
                    add(self._group_members(entry))
                else:
                    result.errors.append(f"{entry}: not an audience entry")
            except SlackCallError as exc:
                logger.warning("audience entry %s not resolved: %s", entry, exc.failure.error)
                result.errors.append(f"{entry}: {exc.failure.error}")
        return result

    def _channel_members(self, channel: str) -> list[str]:
        members: list[str] = []
        cursor: str | None = None
        for _ in range(10_000):  # a page bound, not a member bound: 2 million people
            response = self._gate.call(
                "conversations.members",
                partial(
                    self._client.conversations_members,
                    channel=channel,
                    limit=self._page_size,
                    cursor=cursor,
                ),
            )
            members.extend(str(user) for user in response.get("members") or [])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        return members

    def _group_members(self, group: str) -> list[str]:
        response = self._gate.call(
            "usergroups.users.list",
            lambda: self._client.usergroups_users_list(usergroup=group),
        )
        return [str(user) for user in response.get("users") or []]

    def _theme_reporters(self, theme_id: int) -> list[str]:
        # Only reporters who asked to be kept posted have a stored user id, so only they can
        # be reached; everyone else stays a pseudonym. A theme that has fallen below the
        # minimum-reporter rule (or was merged away) reaches nobody: its messages name it.
        with self._session_factory() as session:
            if not is_shown(session, theme_id, self._min_reporters):
                return []
            rows = session.scalars(
                select(PainPoint.notify_user_id)
                .where(
                    PainPoint.theme_id == theme_id,
                    PainPoint.keep_posted.is_(True),
                    PainPoint.notify_user_id.is_not(None),
                )
                .distinct()
            ).all()
        return sorted(str(user) for user in rows if user)
