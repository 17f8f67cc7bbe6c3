"""Who is a manager or a trainer: user ids and user-group members, cached for a while."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.roles import Role

logger = logging.getLogger(__name__)


class RoleDirectory:
    """Answers role checks from configured ids; user groups are resolved through Slack."""

    def __init__(
        self,
        client: WebClient,
        *,
        managers: Sequence[str],
        trainers: Sequence[str],
        cache_seconds: float = 300,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._members = {Role.MANAGER: tuple(managers), Role.TRAINER: tuple(trainers)}
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def has_role(self, user_id: str, role: Role) -> bool:
        """True when the user is listed for the role directly or through a user group."""
        entries = self._members[role]
        if user_id in entries:
            return True
        return any(user_id in self._group_members(entry) for entry in entries if entry[0] == "S")

    def _group_members(self, group_id: str) -> frozenset[str]:
        now = self._clock()
        with self._lock:
            cached = self._groups.get(group_id)
            if cached is not None and now - cached[0] < self._cache_seconds:
                return cached[1]
        try:
            response = self._client.usergroups_users_list(usergroup=group_id)
            members = frozenset(response.get("users") or [])
        except (SlackApiError, OSError) as exc:
            # Failing closed: an unresolvable group grants nobody anything. OSError covers a
            # lookup that timed out or could not connect (the check runs before some answers).
            reason = exc.response.get("error") if isinstance(exc, SlackApiError) else repr(exc)
            logger.warning("could not resolve user group %s: %s", group_id, reason)
            if cached is not None:
                return cached[1]
            return frozenset()
        with self._lock:
            self._groups[group_id] = (now, members)
        return members
