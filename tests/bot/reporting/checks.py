"""Assertions shared by the insight tests: Block Kit validity and "this text never left"."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlparse

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from tests.slack_stand_in import Call, SlackStandIn

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
TEXT_LIMITS = {"section": 3000, "header": 150, "context": 3000}


def _texts(block: dict[str, Any]) -> Iterator[tuple[str, str]]:
    kind = str(block.get("type"))
    if isinstance(block.get("text"), dict):
        yield kind, str(block["text"].get("text", ""))
    for item in block.get("fields") or []:
        yield "field", str(item.get("text", ""))
    for item in block.get("elements") or []:
        if item.get("type") in {"mrkdwn", "plain_text"}:
            yield kind, str(item.get("text", ""))


def assert_valid_blocks(blocks: list[dict[str, Any]], limit: int = MESSAGE_BLOCKS) -> None:
    """Within the block limit, every block survives slack_sdk's parse → to_dict round trip
    (which runs the model's size validators), and every text is within Slack's sizes."""
    assert 0 < len(blocks) <= limit, f"{len(blocks)} blocks (limit {limit})"
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None and parsed.to_dict() == block
        for kind, text in _texts(block):
            assert len(text) <= (2000 if kind == "field" else TEXT_LIMITS.get(kind, 3000)), (
                kind,
                len(text),
            )


def assert_valid_view(view: dict[str, Any]) -> None:
    """A modal within Slack's limits: ≤ 100 blocks, title/submit/close ≤ 24 characters."""
    assert View(**view).to_dict() == view
    for key in ("title", "submit", "close"):
        if view.get(key):
            assert len(view[key]["text"]) <= 24, (key, view[key])
    assert len(json.dumps(view.get("private_metadata") or "")) <= 3002
    assert_valid_blocks(view["blocks"], VIEW_BLOCKS)


def everything_sent(stand_in: SlackStandIn) -> str:
    """Every parameter of every call the stand-in received, as one string."""
    return json.dumps([call.params for call in stand_in.calls], ensure_ascii=False)


def assert_absent(haystack: str, needles: Iterable[str]) -> None:
    """None of `needles` occurs in `haystack` (case-insensitive)."""
    lowered = haystack.casefold()
    leaked = [needle for needle in needles if needle.casefold() in lowered]
    assert not leaked, f"leaked: {leaked}"


class UploadRecordingStandIn(SlackStandIn):
    """The stand-in, also keeping the bytes of every file uploaded to it."""

    def __init__(self) -> None:
        self.uploads: list[bytes] = []
        super().__init__()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        base = super()._handler_class()
        stand_in = self

        class Handler(base):
            def do_POST(self) -> None:
                path = urlparse(self.path).path
                if not path.startswith("/upload/"):
                    super().do_POST()
                    return
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                stand_in.uploads.append(raw)
                stand_in._record(Call("upload", {"bytes": len(raw), "path": path}, {}))
                self._send(200, "OK - uploaded")

        return Handler
