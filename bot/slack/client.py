"""The one Web API client factory.

Replies to a person's request use slack_sdk's own retries (connection errors, 429 with
Retry-After). Everything the app sends on its own initiative goes through `SlackGate`, which
owns pacing and retries, so that client retries nothing by itself.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.settings import Settings


def make_client(settings: Settings, *, gated: bool = False, timeout: float = 30.0) -> WebClient:
    """A client for the configured workspace; `gated=True` for calls made through the gate."""
    base_url = settings.slack_api_url
    if not base_url.endswith("/"):
        base_url += "/"
    retry_handlers = (
        []
        if gated
        else [
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
        ]
    )
    return WebClient(
        token=settings.slack_bot_token,
        base_url=base_url,
        timeout=int(max(timeout, 1)),
        retry_handlers=retry_handlers,
    )
