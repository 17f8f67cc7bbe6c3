"""The roles that unlock aggregated data."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Roles that unlock sub-commands with aggregated data."""

    MANAGER = "manager"
    TRAINER = "trainer"
