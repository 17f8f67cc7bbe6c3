"""The one settings object, read from the environment (and `.env`) at the entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.wording import Wording, WordingError, parse_wording

DEFAULT_DATABASE_URL = "sqlite:///" + str(Path("var") / "painpoint.db")


def _split_ids(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Configuration for every painpoint process; see the README's configuration table."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    slack_bot_token: str | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL")
    database_url: str = Field(default=DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    secret_key: str | None = Field(default=None, alias="PAINPOINT_SECRET_KEY")
    managers: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="PAINPOINT_MANAGERS"
    )
    trainers: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="PAINPOINT_TRAINERS"
    )
    min_reporters: int = Field(default=3, ge=1, le=1000, alias="PAINPOINT_MIN_REPORTERS")
    teams: Annotated[list[str], NoDecode] = Field(default_factory=list, alias="PAINPOINT_TEAMS")
    max_text_length: int = Field(default=4000, ge=100, le=40000, alias="PAINPOINT_MAX_TEXT_LENGTH")
    rate_limit_per_hour: int = Field(default=30, ge=1, alias="PAINPOINT_RATE_LIMIT_PER_HOUR")
    duplicate_window_hours: int = Field(default=24, ge=0, alias="PAINPOINT_DUPLICATE_WINDOW_HOURS")
    embedding_model: str = Field(default="all-MiniLM-L6-v2", alias="PAINPOINT_EMBEDDING_MODEL")
    embed_on_capture: bool = Field(default=True, alias="PAINPOINT_EMBED_ON_CAPTURE")
    recluster_cron: str = Field(default="0 2 * * *", alias="PAINPOINT_RECLUSTER_CRON")
    digest_channel: str | None = Field(default=None, alias="PAINPOINT_DIGEST_CHANNEL")
    digest_cron: str = Field(default="0 9 * * 1", alias="PAINPOINT_DIGEST_CRON")
    timezone: str = Field(default="UTC", alias="PAINPOINT_TIMEZONE")
    role_cache_seconds: int = Field(default=300, ge=0, alias="PAINPOINT_ROLE_CACHE_SECONDS")
    listener_threads: int = Field(default=16, ge=1, le=256, alias="PAINPOINT_LISTENER_THREADS")
    http_threads: int = Field(default=16, ge=1, le=256, alias="PAINPOINT_HTTP_THREADS")
    nudge_rate: float = Field(default=1.0, gt=0, le=1000, alias="PAINPOINT_NUDGE_RATE")
    nudge_grace_minutes: int = Field(
        default=60, ge=0, le=7 * 24 * 60, alias="PAINPOINT_NUDGE_GRACE_MINUTES"
    )
    nudge_lease_seconds: int = Field(
        default=30, ge=6, le=600, alias="PAINPOINT_NUDGE_LEASE_SECONDS"
    )
    nudge_threads: int = Field(default=4, ge=1, le=64, alias="PAINPOINT_NUDGE_THREADS")
    nudge_max_attempts: int = Field(default=6, ge=1, le=50, alias="PAINPOINT_NUDGE_MAX_ATTEMPTS")
    lessons_dir: str | None = Field(default=None, alias="PAINPOINT_LESSONS_DIR")
    log_level: str = Field(default="INFO", alias="PAINPOINT_LOG_LEVEL")
    pii_patterns: str | None = Field(default=None, alias="PAINPOINT_PII_PATTERNS")
    # Off by default: text is kept until a person or an operator erases it.
    retention_days: int | None = Field(
        default=None, ge=1, le=36500, alias="PAINPOINT_RETENTION_DAYS"
    )
    wording: str | None = Field(default=None, alias="PAINPOINT_WORDING")

    @field_validator("managers", "trainers", "teams", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return _split_ids(value)

    @field_validator("managers", "trainers")
    @classmethod
    def _slack_ids(cls, value: list[str]) -> list[str]:
        for item in value:
            if item[:1] not in {"U", "W", "S"} or not item.isalnum():
                raise ValueError(f"{item!r} is not a Slack user id (U…/W…) or user-group id (S…)")
        return value

    @field_validator("secret_key")
    @classmethod
    def _strong_secret(cls, value: str | None) -> str | None:
        if value is not None and len(value) < 16:
            raise ValueError("must be at least 16 characters long")
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("recluster_cron", "digest_cron")
    @classmethod
    def _crontab(cls, value: str) -> str:
        from bot.domain.crontab import crontab_trigger

        try:
            crontab_trigger(value)
        except ValueError as exc:
            raise ValueError(f"not a crontab expression ({exc})") from None
        return value

    @field_validator("pii_patterns")
    @classmethod
    def _pii_patterns(cls, value: str | None) -> str | None:
        from bot.domain.pii_patterns import parse_pii_patterns

        parse_pii_patterns(value)  # raises ValueError with one clear line
        return value

    @field_validator("retention_days", mode="before")
    @classmethod
    def _retention_off(cls, value: object) -> object:
        # An empty value or "off" leaves retention off, as when the variable is unset.
        if isinstance(value, str) and value.strip().casefold() in {"", "off", "none"}:
            return None
        return value

    @field_validator("wording")
    @classmethod
    def _wording_file(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        read_wording(value)  # raises ValueError with one clear line
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()


def read_wording(path: str) -> Wording:
    """The company's wording file (PAINPOINT_WORDING), read and checked."""
    try:
        source = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text") from None
    try:
        return parse_wording(source)
    except WordingError as exc:
        raise ValueError(f"{path}: {exc}") from None


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line naming it."""


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; raise SettingsError with one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "settings"
        alias = Settings.model_fields[field].alias if field in Settings.model_fields else field
        message = str(error["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"invalid setting {alias or field}: {message}") from None
