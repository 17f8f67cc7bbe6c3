"""The one error path of the command line: every failure as one line saying what to do.

`explain` turns an exception a user can cause or meet (settings, Slack token, network,
database, files, broken pipe, migrations, model path) into a `CliError`; anything it does not
recognise is still one line, with a pointer to `-v` for the traceback.
"""

from __future__ import annotations

import socket
import urllib.error

from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError

from bot.cli.common import EXIT_FAILURE, EXIT_USAGE, CliError
from bot.settings import Settings, SettingsError

EXIT_INTERRUPTED = 130


def explain(exc: BaseException, settings: Settings | None) -> CliError:
    """The one line (and exit code) for `exc`."""
    if isinstance(exc, CliError):
        return exc
    if isinstance(exc, SettingsError):
        return CliError(str(exc))
    for explainer in (_slack, _database, _migration, _model, _files, _network):
        found = explainer(exc, settings)
        if found is not None:
            return found
    name = type(exc).__name__
    return CliError(
        f"unexpected error ({name}: {_first_line(exc)}); run again with -v for the "
        "traceback and report it",
        exit_code=EXIT_FAILURE,
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def redacted(database_url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except Exception:
        return "(unreadable DATABASE_URL)"


def _slack(exc: BaseException, settings: Settings | None) -> CliError | None:
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    if isinstance(exc, SlackApiError):
        code = str(exc.response.get("error", "error")) if exc.response else "error"
        app_level = "apps.connections.open" in str(getattr(exc.response, "api_url", ""))
        return _slack_refusal(code, app_token=app_level)
    if isinstance(exc, BoltError) and "auth.test" in str(exc):
        return _slack_refusal("invalid_auth")
    del settings
    return None


def _slack_refusal(code: str, *, app_token: bool = False) -> CliError:
    if app_token or code in {"invalid_app_token", "not_allowed_token_type"}:
        return CliError(
            f"Slack refused SLACK_APP_TOKEN ({code}); generate an app-level token (xapp-…) "
            "with connections:write under Basic Information → App-Level Tokens"
        )
    if code in {"invalid_auth", "not_authed", "account_inactive", "token_revoked"}:
        return CliError(
            f"Slack refused SLACK_BOT_TOKEN ({code}); copy the Bot User OAuth Token (xoxb-…) "
            "from your app's OAuth & Permissions page"
        )
    return CliError(f"Slack answered {code!r}; check the app's settings and tokens")


def _database(exc: BaseException, settings: Settings | None) -> CliError | None:
    from sqlalchemy.exc import ArgumentError

    url = redacted(settings.database_url) if settings else "DATABASE_URL"
    if isinstance(exc, ArgumentError):
        return CliError(f"DATABASE_URL is not a database URL ({_first_line(exc)})")
    if not isinstance(exc, OperationalError | InterfaceError):
        return None
    reason = _first_line(exc.orig) if exc.orig is not None else _first_line(exc)
    lowered = reason.lower()
    if "does not exist" in lowered and "database" in lowered:
        return CliError(
            f"the database at {url} does not exist; create it (createdb) or fix DATABASE_URL"
        )
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return CliError(
            f"the database at {url} refused the login; check the user and password in DATABASE_URL"
        )
    if "unable to open database file" in lowered:
        return CliError(
            f"cannot open the SQLite database {url}; check the path in DATABASE_URL and its folder's permissions"
        )
    if "readonly database" in lowered:
        return CliError(
            f"the SQLite database {url} is read-only; check the file's permissions",
            exit_code=EXIT_FAILURE,
        )
    return CliError(
        f"cannot reach the database at {url} ({reason}); check that it is running and DATABASE_URL",
        exit_code=EXIT_FAILURE,
    )  # fmt: skip


def _migration(exc: BaseException, settings: Settings | None) -> CliError | None:
    from alembic.util import CommandError

    if not isinstance(exc, CommandError):
        return None
    from bot.db.migrate import known_revisions

    del settings
    known = ", ".join(known_revisions())
    return CliError(f"migration failed: {_first_line(exc)}; known revisions: {known}, heads, base")


def _model(exc: BaseException, settings: Settings | None) -> CliError | None:
    from bot.terminal import ModelNotFound

    if isinstance(exc, ModelNotFound):
        return CliError(str(exc))
    del settings
    return None


def _files(exc: BaseException, settings: Settings | None) -> CliError | None:
    del settings
    if isinstance(exc, BrokenPipeError):
        return CliError(
            "the output was closed before everything was written (broken pipe); "
            "use --out FILE to keep all of it",
            exit_code=EXIT_FAILURE,
        )
    if isinstance(exc, OSError) and exc.filename is not None:
        what = exc.strerror or _first_line(exc)
        return CliError(f"cannot use {exc.filename}: {what}; check the path and its permissions")
    return None


def _network(exc: BaseException, settings: Settings | None) -> CliError | None:
    reason: object = None
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
    elif isinstance(exc, socket.gaierror | ConnectionError | TimeoutError):
        reason = exc
    if reason is None:
        return None
    where = settings.slack_api_url if settings else "Slack"
    return CliError(
        f"cannot reach {where} ({reason}); check the network connection, a proxy "
        "(HTTPS_PROXY) or SLACK_API_URL",
        exit_code=EXIT_FAILURE,
    )


__all__ = ["EXIT_FAILURE", "EXIT_INTERRUPTED", "EXIT_USAGE", "explain", "redacted"]
