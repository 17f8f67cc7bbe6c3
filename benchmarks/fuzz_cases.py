"""The requests benchmarks/fuzz.py sends: signed and unsigned, malformed in every way issue 14
names (timestamps, signatures, bodies, types, NUL and surrogates, user ids, sizes, replays,
retries), plus good reports that must still be stored next to them."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from dataclasses import dataclass, field
from itertools import count
from typing import Any
from urllib.parse import parse_qsl, quote

from bot.blocks import capture as capture_blocks
from bot.domain.text import storable
from tests.slack_requests import SIGNING_SECRET, dm_event, form_values, slash_body, view_submission

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
BAD_USERS: list[Any] = ["", " ", "U" * 200, "<@U0000001>", "u123", "T0000001", "B0123", 123, None]
WRONG_TYPES: list[Any] = [["FZ00019"], {"m": "x"}, 3.5, True, None, 7]
_n = count(1)


@dataclass
class Case:
    """One request, and what a correct bot does with it."""

    category: str
    body: bytes
    content_type: str
    signed: bool  # carries a valid, fresh signature of exactly this body
    headers: dict[str, str] = field(default_factory=dict)
    # The text a person typed, as it may be stored (None: storing anything is junk).
    stores: str | None = None
    # A good report: once acknowledged with a 200 it must be in the database.
    must_store: bool = False


def signature(raw: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256)
    return "v0=" + digest.hexdigest()


def signed_headers(raw: bytes, timestamp: str | None = None) -> dict[str, str]:
    ts = timestamp or str(int(time.time()))
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature(raw, ts)}


def text(kind: str) -> str:
    """A report text no scrubber changes, unique per request."""
    return f"fuzz {kind} report {next(_n)} about slow approvals"


def user() -> str:
    return f"UF{next(_n):06d}"  # a new person per report: no hourly limit, no repeats


def slash(words: str, who: Any = None, response_url: str = "") -> bytes:
    body = slash_body(words, user=who if isinstance(who, str) else user())
    if response_url:
        body = body.replace(
            quote("http://127.0.0.1:9/response/x", safe=""), quote(response_url, safe="")
        )
    return body.encode()


def event(**overrides: Any) -> dict[str, Any]:
    """An Events API envelope of a DM, with fields of the envelope or event replaced."""
    event_fields = {k: v for k, v in overrides.items() if k not in {"event_id", "team_id", "event"}}
    inner = dm_event("placeholder", user=user()) | event_fields
    envelope = {
        "token": "legacy",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event": inner,
        "event_id": f"EvF{next(_n):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
    }
    envelope.update({k: v for k, v in overrides.items() if k in {"event_id", "team_id", "event"}})
    return envelope


def as_json(value: Any) -> bytes:
    return json.dumps(value).encode()


def interactive(payload: Any) -> bytes:
    return ("payload=" + quote(json.dumps(payload))).encode()


def modal(words: Any, who: Any = "U100") -> dict[str, Any]:
    view = capture_blocks.report_modal(metadata={"source": "modal"})
    values = form_values("placeholder")
    values["text"]["value"]["value"] = words
    payload = view_submission(view, values, user=who if isinstance(who, str) else "U100")
    if not isinstance(who, str):
        payload["user"]["id"] = who
    return payload


def dm_case(category: str, words: Any, *, must_store: bool = False, **fields: Any) -> Case:
    """A signed DM event; its text may be stored when it is text and the sender a person."""
    body = as_json(event(text=words, **fields))
    cleaned = storable(words).strip() if isinstance(words, str) else ""
    person = "user" not in fields
    stores = cleaned if cleaned and person else None
    return Case(category, body, JSON, True, stores=stores, must_store=must_store and bool(stores))


def slash_text(raw: bytes) -> str:
    """The text of a form-encoded slash command as Bolt will read it, made storable."""
    return storable(dict(parse_qsl(raw.decode()))["text"]).strip()


# --- requests that can never be verified ------------------------------------------------------


def unverified(response_url: str, repeats: int) -> list[Case]:
    now = int(time.time())
    cases: list[Case] = []
    timestamps = [
        "abc", "1.5", "", " ", "-1", "0", "１２３", "1e9", str(now - 600), str(now + 600),
        str(now) + "00000", "0x10", "9" * 40, f"+{now}", f" {now}", f"{now}\t",
    ]  # fmt: skip
    for _ in range(repeats):
        bodies = [
            (slash(text("unverified"), response_url=response_url), FORM),
            (as_json(event(text=text("unverified"))), JSON),
            (interactive(modal(text("unverified"))), FORM),
        ]
        for raw, content_type in bodies:
            for ts in timestamps:
                headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature(raw, ts)}
                cases.append(Case("bad timestamp", raw, content_type, False, headers))
            ts = str(now)
            good = signature(raw, ts)
            for sig in [
                None, "", "v0=", "v0=" + "0" * 64, "v1=" + good[3:], "V0=" + good[3:],
                "v0=" + good[3:].upper(), good[:-1], good + "0", "v0=ｈｅｘ" + good[7:],
                signature(raw + b" ", ts), signature(raw, ts, "another-secret"), f"{good},{good}",
            ]:  # fmt: skip
                headers = {"X-Slack-Request-Timestamp": ts}
                if sig is not None:
                    headers["X-Slack-Signature"] = sig
                cases.append(Case("bad signature", raw, content_type, False, headers))
            no_timestamp = {"X-Slack-Signature": good}
            cases.append(Case("bad timestamp", raw, content_type, False, no_timestamp))
    # Everything the signed half sends, without a signature.
    for case in signed_malformed(response_url) + oversized(signed=False):
        cases.append(Case(case.category, case.body, case.content_type, False))
    return cases


# --- signed requests ---------------------------------------------------------------------------


def signed_malformed(response_url: str) -> list[Case]:
    rng = random.Random(14)
    bodies: list[tuple[bytes, str]] = [
        (b"", JSON), (b"this is not json {", JSON), (b'{"type": "event_callback", ', JSON),
        (b"[1, 2, 3]", JSON), (b'"hello"', JSON), (b"null", JSON), (b"payload=%7Bnot-json", FORM),
        (b"payload=", FORM), (b"payload=%5B1%5D", FORM), (b"payload=%22x%22", FORM),
        (as_json({"type": "event_callback"}), JSON),
        (as_json({"type": "event_callback", "event": {"type": "message", "channel_type": "im"}}), JSON),
        (as_json({"type": "event_callback", "event": {"type": "reaction_added"}}), JSON),
        (b"command=%2Fpainpoint&text=hello", FORM), (b"command=%2Fpainpoint", FORM), (b"a=b", FORM),
        (interactive({"type": "view_submission", "view": {"callback_id": "painpoint_report"}}), FORM),
        (interactive({"type": "block_actions", "actions": [{"action_id": "painpoint_undo"}]}), FORM),
        (interactive({"type": "block_actions", "user": {"id": "U100"}}), FORM),
        (interactive({"type": "message_action", "callback_id": "log_painpoint"}), FORM),
        (b"\x00\x01\x02\xff", "application/octet-stream"), (b"\xff\xfe\xfd" * 50, JSON),
        (b"text=%ff%fe&command=%2Fpainpoint&user_id=U100", FORM),
        (b"[" * 5000 + b"]" * 5000, JSON), (as_json({"type": "url_verification"}), JSON),
        (as_json({"type": "url_verification", "challenge": ["x"]}), JSON),
        (as_json({"type": "event_callback", "event": "message"}), JSON),
        (as_json({"type": "event_callback", "event": [1, 2]}), JSON),
    ]  # fmt: skip
    bodies += [(rng.randbytes(rng.randint(1, 400)), rng.choice([JSON, FORM])) for _ in range(20)]
    cases = [Case("malformed body", raw, content_type, True) for raw, content_type in bodies]
    for extra in (b"&user_id=U100&user_id=U200", b"&&&===&%", b"&text=second+text"):
        # Still a person's words in a form Slack would not send: storing them is allowed.
        raw = slash(text("odd form"), response_url=response_url) + extra
        cases.append(Case("malformed body", raw, FORM, True, stores=slash_text(raw)))
    for bad in WRONG_TYPES:
        cases.append(dm_case("wrong type", bad))
        cases.append(dm_case("wrong type", text("wrong-typed user"), user=bad))
        for name in ("event_id", "channel", "ts", "thread_ts", "team_id", "channel_type"):
            # The text is still what a person typed: storing it is allowed, not required.
            cases.append(dm_case("wrong type", text(f"wrong-typed {name}"), **{name: bad}))
        cases.append(Case("wrong type", interactive(modal(bad)), FORM, True))
        cases.append(Case("wrong type", interactive(modal(text("modal"), who=bad)), FORM, True))
    for words in [
        "fuzz nul\x00 report {} about slow approvals", "fuzz lone\ud800 surrogate {} report",
        "fuzz \udfff trailing surrogate {} report", "\x00\x00\x00", "\ud800",
        "fuzz mixed \x00\ud83d{} report \udc00", "  \x00 fuzz padded {} report \x00  ",
    ]:  # fmt: skip
        for _ in range(5):
            cases.append(dm_case("NUL/surrogate", words.format(next(_n)), must_store=True))
    for n in range(5):
        for encoded in (f"fuzz+slash+nul{n}%00+report", f"fuzz+slash+{n}+%ED%A0%80+report"):
            raw = slash("placeholder", response_url=response_url)
            raw = raw.replace(b"text=placeholder", f"text={encoded}".encode())
            cases.append(Case("NUL/surrogate", raw, FORM, True, stores=slash_text(raw)))
    for bad in BAD_USERS:
        for _ in range(3):
            if isinstance(bad, str):
                raw = slash(text("bad user"), who=bad, response_url=response_url)
                cases.append(Case("bad user id", raw, FORM, True))
            cases.append(dm_case("bad user id", text("bad user"), user=bad))
            cases.append(
                Case("bad user id", interactive(modal(text("bad user"), who=bad)), FORM, True)
            )
    too_long = "fuzz " + "slow approvals " * 300
    for _ in range(5):
        cases.append(
            Case(
                "oversized", slash(too_long + str(next(_n)), response_url=response_url), FORM, True
            )
        )
        cases.append(Case("oversized", as_json(event(text=too_long + str(next(_n)))), JSON, True))
    return cases


def oversized(signed: bool) -> list[Case]:
    cases = []
    for size in (1_000_001, 1_500_000, 2_000_000, 4_000_000, 5_000_000):
        raw = slash("x" * size)
        cases.append(Case("oversized", raw, FORM, signed))
    return cases


def good(response_url: str, n: int) -> list[Case]:
    """Reports a person would send: each must be stored, whatever is sent next to it."""
    cases = []
    for _ in range(n):
        words = text("good slash")
        raw = slash(words, response_url=response_url)
        cases.append(Case("good", raw, FORM, True, stores=words, must_store=True))
        words = text("good dm")
        cases.append(dm_case("good", words, must_store=True))
    for _ in range(5):
        # Bolt parses any form body containing "payload" as an interactivity payload.
        words = text("good slash payload")
        raw = slash(words, response_url=response_url)
        cases.append(Case("good", raw, FORM, True, stores=words, must_store=True))
    for _ in range(n // 5):
        words = text("good modal")
        raw = interactive(modal(words, who=user()))
        cases.append(Case("good", raw, FORM, True, stores=words, must_store=True))
    return cases


def replays_and_retries(response_url: str, n: int) -> list[Case]:
    """Each request sent again as is (replays) or as Slack's retries (retry headers)."""
    cases: list[Case] = []
    for _ in range(n):
        words = text("replayed slash")
        raw = slash(words, response_url=response_url)
        cases += [Case("replay", raw, FORM, True, stores=words, must_store=True) for _ in range(3)]
        words = text("replayed dm")
        raw = as_json(event(text=words))
        cases += [Case("replay", raw, JSON, True, stores=words, must_store=True) for _ in range(3)]
        words = text("retried dm")
        raw = as_json(event(text=words))
        cases.append(Case("retry", raw, JSON, True, stores=words, must_store=True))
        for num in ("1", "2", "3"):
            retry = {"X-Slack-Retry-Num": num, "X-Slack-Retry-Reason": "http_timeout"}
            cases.append(Case("retry", raw, JSON, True, retry, stores=words, must_store=True))
    for _ in range(n // 3):
        words = text("replayed modal")
        raw = interactive(modal(words, who=user()))
        cases += [Case("replay", raw, FORM, True, stores=words, must_store=True) for _ in range(3)]
    odd = [(n, "http_timeout") for n in ("abc", "-1", "1e9", "", "4", "0", "１")]
    odd += [("1", reason) for reason in ("", "x" * 300, "ünïcode", "\x7fcontrol")]
    for num, reason in odd:
        for _ in range(3):
            words = text("odd retry header")
            headers = {"X-Slack-Retry-Num": num, "X-Slack-Retry-Reason": reason}
            raw = as_json(event(text=words))
            # A control character makes the HTTP request itself invalid: waitress answers 400.
            valid_http = "\x7f" not in reason
            cases.append(
                Case("retry", raw, JSON, True, headers, stores=words, must_store=valid_http)
            )
    return cases


def all_cases(response_url: str) -> list[Case]:
    signed = (
        signed_malformed(response_url)
        + oversized(signed=True)
        + good(response_url, 60)
        + replays_and_retries(response_url, 30)
    )
    return unverified(response_url, repeats=8) + signed
