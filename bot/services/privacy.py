"""The privacy step: text stored sealed after the fast scrub gets the full scrub (names,
street addresses) and only then becomes readable to anyone but its reporter.

It runs after Slack has been answered, in batches, and again at start-up for anything a
crash left sealed. The full scrub itself may run in another process (`painpoint run` uses a
low-priority child), so it is passed in as a function over a list of texts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, null, select, update

from bot.db.models import PainPoint
from bot.db.nudge_models import Concern
from bot.db.session import SessionFactory, writer_lock
from bot.privacy.seal import Sealer, SealError
from bot.services.import_csv import TEAM_LENGTH

logger = logging.getLogger(__name__)
FullScrub = Callable[[list[str]], list[str]]
Table = type[PainPoint] | type[Concern]


@dataclass(frozen=True)
class _Opened:
    id: int
    sealed: bytes
    text: str | None
    details: list[str]  # details added while sealed, to scrub and append
    old_details: str | None  # what the row already had
    team: str | None  # a pain point's team as typed (fast-scrubbed only so far)


class PrivacyStep:
    """Runs the full scrub over sealed rows of pain points and concerns."""

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        secret_key: str,
        full_scrub: FullScrub,
        on_clean: Callable[[int], object] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._sealer = Sealer(secret_key)
        self._full_scrub = full_scrub
        # Called with each cleaned pain point's id (to embed it and let it join a theme).
        self.on_clean = on_clean

    def painpoints(self, ids: Sequence[int]) -> list[int]:
        """Clean these pain points (those still sealed); returns the ids now clean."""
        cleaned = self._clean(PainPoint, ids)
        if self.on_clean is not None:
            for painpoint_id in cleaned:
                self.on_clean(painpoint_id)
        return cleaned

    def concerns(self, ids: Sequence[int]) -> list[int]:
        """Clean these concerns (those still sealed)."""
        return self._clean(Concern, ids)

    def pending(self) -> tuple[list[int], list[int]]:
        """Ids of pain points and concerns still waiting for the full scrub."""
        with self._session_factory() as session:
            painpoints = session.scalars(
                select(PainPoint.id).where(PainPoint.pending_scrub.is_(True))
            ).all()
            concerns = session.scalars(
                select(Concern.id).where(Concern.pending_scrub.is_(True))
            ).all()
        return list(painpoints), list(concerns)

    def sweep(self) -> int:
        """Clean everything still sealed (at start-up, after a crash); returns how many."""
        painpoints, concerns = self.pending()
        done = 0
        for start in range(0, len(painpoints), 256):
            done += len(self.painpoints(painpoints[start : start + 256]))
        for start in range(0, len(concerns), 256):
            done += len(self.concerns(concerns[start : start + 256]))
        return done

    def _clean(self, table: Table, ids: Sequence[int]) -> list[int]:
        opened = self._open(table, ids)
        if not opened:
            return []
        texts: list[str] = []
        for item in opened:
            texts.extend(([item.text] if item.text is not None else []) + item.details)
            texts.extend([item.team] if item.team else [])
        clean = iter(self._full_scrub(texts)) if texts else iter(())
        values = []
        for item in opened:
            text = next(clean) if item.text is not None else None
            extra = "\n".join(next(clean) for _ in item.details)
            team = next(clean)[:TEAM_LENGTH] if item.team else None
            details = item.old_details
            if extra:
                details = f"{details}\n{extra}" if details else extra
            values.append(
                {
                    "b_id": item.id,
                    "b_sealed": item.sealed,
                    "b_text": text,
                    "b_details": details,
                    "b_team": team,
                }
            )
        return self._write(table, values)

    def _write(self, table: Table, values: list[dict[str, Any]]) -> list[int]:
        """One statement for the batch; a row sealed again meanwhile (a new detail arrived)
        does not match and is left for its own worker run."""
        changes: dict[str, Any] = {
            "text": func.coalesce(bindparam("b_text"), table.text),
            "sealed": None,
            "pending_scrub": False,
        }
        if table is PainPoint:
            changes["details"] = bindparam("b_details")
            changes["team"] = bindparam("b_team")
            # Scrubbing is not an edit: the reporter's last change keeps its time.
            changes["updated_at"] = PainPoint.updated_at
        statement = (
            update(table)
            .where(table.id == bindparam("b_id"), table.sealed == bindparam("b_sealed"))
            .values(changes)
        )
        ids = [value["b_id"] for value in values]
        with writer_lock(self._session_factory), self._session_factory() as session:
            with session.begin():
                session.connection().execute(statement, values)
            done = session.scalars(
                select(table.id).where(table.id.in_(ids), table.pending_scrub.is_(False))
            ).all()
        return list(done)

    def _open(self, table: Table, ids: Sequence[int]) -> list[_Opened]:
        with self._session_factory() as session:
            details = PainPoint.details if table is PainPoint else null()
            teams = PainPoint.team if table is PainPoint else null()
            rows = session.execute(
                select(table.id, table.sealed, details, teams).where(
                    table.id.in_(list(ids)), table.pending_scrub.is_(True)
                )
            ).all()
        opened = []
        for row_id, sealed, old_details, team in rows:
            try:
                payload: dict[str, Any] = self._sealer.open(sealed) if sealed else {}
            except SealError:
                # Sealed under another secret key (PAINPOINT_SECRET_KEY changed): it stays
                # sealed and unseen; the old key would open it.
                logger.error("row %s of %s is sealed with another key", row_id, table.__name__)
                continue
            text = payload.get("text")
            opened.append(
                _Opened(
                    id=int(row_id),
                    sealed=bytes(sealed or b""),
                    text=str(text) if text is not None else None,
                    details=[str(detail) for detail in payload.get("details") or []],
                    old_details=old_details,
                    team=team,
                )
            )
        return opened
