"""Recipients: time zones from users.info, DM channels from conversations.open, pause choice.

Both Slack look-ups are cached in `nudge_recipients`, so a workspace-wide campaign costs one
users.info and one conversations.open per person once, not per nudge.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial

from slack_sdk import WebClient
from sqlalchemy import select

from bot.db.nudge_models import NudgeRecipient
from bot.db.session import SessionFactory
from bot.db.upsert import upsert
from bot.domain.time import aware
from bot.slack.gate import SlackCallError, SlackGate, Verdict

logger = logging.getLogger(__name__)
TZ_MAX_AGE = timedelta(days=7)
# Above this many unknown zones, users.list is cheaper than one users.info each.
BULK_THRESHOLD = 50
_BATCH = 500


class RecipientDirectory:
    """Cached facts about recipients; Slack is asked only for what is missing or stale."""

    def __init__(
        self,
        session_factory: SessionFactory,
        client: WebClient,
        gate: SlackGate,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._session_factory = session_factory
        self._client = client
        self._gate = gate
        self._clock = clock
        self._channels: dict[str, str] = {}
        self._lock = threading.Lock()

    # -- time zones ------------------------------------------------------------------------
    def zones(self, user_ids: Collection[str]) -> dict[str, str | None]:
        """Each user's IANA time zone (None when Slack does not say), cached for a week."""
        now = self._clock()
        wanted = sorted(set(user_ids))
        found: dict[str, str | None] = {}
        with self._session_factory() as session:
            for start in range(0, len(wanted), _BATCH):
                chunk = wanted[start : start + _BATCH]
                rows = session.execute(
                    select(
                        NudgeRecipient.user_id, NudgeRecipient.tz, NudgeRecipient.tz_checked_at
                    ).where(NudgeRecipient.user_id.in_(chunk))
                ).all()
                for user_id, tz, checked in rows:
                    if checked is not None and now - aware(checked) < TZ_MAX_AGE:
                        found[user_id] = tz
        missing = [user for user in wanted if user not in found]
        if len(missing) > BULK_THRESHOLD:
            # One users.list page covers up to 1,000 people where users.info covers one.
            found.update(self._bulk_zones(set(missing), now))
            missing = [user for user in missing if user not in found]
        fetched: list[dict[str, object]] = []
        for user_id in missing:
            tz, known = self._fetch_zone(user_id)
            found[user_id] = tz
            if not known:
                continue
            fetched.append({"user_id": user_id, "tz": tz, "tz_checked_at": now, "updated_at": now})
            if len(fetched) >= 100:
                self._store(fetched, ["tz", "tz_checked_at", "updated_at"])
                fetched = []
        self._store(fetched, ["tz", "tz_checked_at", "updated_at"])
        return found

    def _bulk_zones(self, wanted: set[str], now: datetime) -> dict[str, str | None]:
        """Time zones of everyone in the workspace, page by page (cached for all of them)."""
        found: dict[str, str | None] = {}
        cursor: str | None = None
        for _ in range(1000):
            try:
                response = self._gate.call(
                    "users.list", partial(self._client.users_list, limit=1000, cursor=cursor)
                )
            except SlackCallError as exc:
                logger.info("users.list failed (%s); asking users.info one by one", exc)
                break
            rows: list[dict[str, object]] = []
            for member in response.get("members") or []:
                user_id = str(member.get("id") or "")
                if not user_id:
                    continue
                tz = str(member["tz"]) if member.get("tz") else None
                rows.append({"user_id": user_id, "tz": tz, "tz_checked_at": now, "updated_at": now})
                if user_id in wanted:
                    found[user_id] = tz
            self._store(rows, ["tz", "tz_checked_at", "updated_at"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        return found

    def _fetch_zone(self, user_id: str) -> tuple[str | None, bool]:
        """(time zone, whether that answer may be cached)."""
        try:
            response = self._gate.call("users.info", partial(self._client.users_info, user=user_id))
        except SlackCallError as exc:
            # Their nudge falls back to the campaign's zone; sending will say if they are gone.
            logger.info("no time zone for a recipient: %s", exc.failure.error)
            return None, exc.failure.verdict is Verdict.PERMANENT
        user = response.get("user") or {}
        tz = user.get("tz")
        return (str(tz) if tz else None), True

    def _store(self, rows: Sequence[dict[str, object]], update: list[str]) -> None:
        if not rows:
            return
        with self._session_factory() as session, session.begin():
            upsert(session, NudgeRecipient.__table__, rows, key=["user_id"], update=update)  # type: ignore[arg-type]

    # -- DM channels -------------------------------------------------------------------------
    def known_channel(self, user_id: str) -> str | None:
        """The cached DM channel, if any (no Slack call)."""
        with self._lock:
            return self._channels.get(user_id)

    def prime(self, channels: dict[str, str]) -> None:
        """Remember DM channels read from the database."""
        with self._lock:
            self._channels.update(channels)

    def open_channel(self, user_id: str) -> str:
        """The DM channel with the user: cached, or opened once (conversations.open is idempotent).

        Raises SlackCallError (PERMANENT for people we can never DM: bots, deleted users).
        """
        cached = self.known_channel(user_id)
        if cached is not None:
            return cached
        with self._session_factory() as session:
            stored = session.scalar(
                select(NudgeRecipient.im_channel).where(NudgeRecipient.user_id == user_id)
            )
        if stored:
            self.prime({user_id: stored})
            return stored
        response = self._gate.call(
            "conversations.open", lambda: self._client.conversations_open(users=user_id)
        )
        channel = (response.get("channel") or {}).get("id")
        if not channel:
            raise SlackCallError.of(Verdict.PERMANENT, "channel_not_found")
        now = self._clock()
        self._store(
            [{"user_id": user_id, "im_channel": channel, "updated_at": now}],
            ["im_channel", "updated_at"],
        )
        self.prime({user_id: str(channel)})
        return str(channel)

    # -- pausing -----------------------------------------------------------------------------
    def is_paused(self, user_id: str) -> bool:
        """True when the user paused nudges."""
        with self._session_factory() as session:
            return bool(
                session.scalar(
                    select(NudgeRecipient.paused).where(NudgeRecipient.user_id == user_id)
                )
            )

    def set_paused(self, user_id: str, paused: bool) -> None:
        """Pause or resume nudges for the user (honoured by the dispatcher before each send)."""
        now = self._clock()
        self._store(
            [
                {
                    "user_id": user_id,
                    "paused": paused,
                    "paused_at": now if paused else None,
                    "updated_at": now,
                }
            ],
            ["paused", "paused_at", "updated_at"],
        )
