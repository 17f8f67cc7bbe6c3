"""The privacy step: names never reach the disk in the clear, and nobody but the reporter sees
a report before its full scrub."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import event, select

from bot.db.models import PainPoint
from bot.db.session import SessionFactory
from bot.domain.capture import PainPointInput
from bot.privacy.scrub import default_scrubber
from bot.services.capture import CaptureService
from bot.services.insights import ThemeInsights
from bot.services.privacy import PrivacyStep
from tests.conftest import SECRET_KEY

NAMED = "Ask John Smith in AR, jane@example.com, about the invoice approvals"


def full(texts: list[str]) -> list[str]:
    return [default_scrubber().full(text) for text in texts]


@pytest.fixture
def capture(session_factory: SessionFactory) -> CaptureService:
    return CaptureService(session_factory, secret_key=SECRET_KEY)


def test_a_name_is_sealed_on_disk_until_the_full_scrub_and_then_replaced(
    capture: CaptureService, session_factory: SessionFactory, sqlite_url: str, tmp_path: Path
) -> None:
    result = capture.record(team_id="T1", user_id="U1", submission=PainPointInput(NAMED, "slash"))
    assert result.painpoint is not None
    # The reporter's receipt shows the fast-scrubbed text: the e-mail is already gone.
    assert result.painpoint.text == "Ask John Smith in AR, [email], about the invoice approvals"
    with session_factory() as session:
        row = session.scalars(select(PainPoint)).one()
        assert row.pending_scrub and row.text == "" and row.sealed
        assert b"John" not in bytes(row.sealed) and b"Smith" not in bytes(row.sealed)
    database = Path(str(session_factory.kw["bind"].url.database or ""))
    if database.exists():
        assert b"John Smith" not in database.read_bytes()

    step = PrivacyStep(session_factory, secret_key=SECRET_KEY, full_scrub=full)
    assert step.painpoints([result.painpoint.id]) == [result.painpoint.id]

    with session_factory() as session:
        row = session.scalars(select(PainPoint)).one()
        assert not row.pending_scrub and row.sealed is None
        assert row.text == "Ask [name] in AR, [email], about the invoice approvals"


def test_nobody_but_the_reporter_sees_a_report_before_its_full_scrub(
    capture: CaptureService, session_factory: SessionFactory
) -> None:
    capture.record(team_id="T1", user_id="U1", submission=PainPointInput(NAMED, "slash"))
    insights = ThemeInsights(session_factory, min_reporters=1)

    assert insights.report(period="all").total_painpoints == 0
    [mine] = capture.list_mine(team_id="T1", user_id="U1")
    assert "John Smith" in mine.text  # their own words, opened for them only

    PrivacyStep(session_factory, secret_key=SECRET_KEY, full_scrub=full).sweep()
    assert insights.report(period="all").total_painpoints == 1


def test_details_added_while_sealed_are_all_scrubbed_and_kept_in_order(
    capture: CaptureService, session_factory: SessionFactory
) -> None:
    result = capture.record(
        team_id="T1",
        user_id="U1",
        submission=PainPointInput("Invoices wait", "dm"),
        thread_ts="1.1",
    )
    capture.add_detail(
        team_id="T1", user_id="U1", thread_ts="1.1", text="Maria Lopez approves", event_id=None
    )
    capture.add_detail(
        team_id="T1", user_id="U1", thread_ts="1.1", text="call +44 20 7946 0958", event_id=None
    )
    assert result.painpoint is not None

    PrivacyStep(session_factory, secret_key=SECRET_KEY, full_scrub=full).sweep()

    with session_factory() as session:
        row = session.scalars(select(PainPoint)).one()
    assert row.text == "Invoices wait"
    assert row.details == "[name] approves\ncall [phone]"


def test_a_row_sealed_again_meanwhile_is_left_for_the_next_run(
    capture: CaptureService, session_factory: SessionFactory
) -> None:
    capture.record(
        team_id="T1", user_id="U1", submission=PainPointInput("Invoices wait", "dm"), thread_ts="2"
    )

    def slow_scrub(texts: list[str]) -> list[str]:
        # A detail arrives while the step is scrubbing: the row's seal changes under it.
        capture.add_detail(
            team_id="T1", user_id="U1", thread_ts="2", text="and Tom Baker too", event_id=None
        )
        return full(texts)

    step = PrivacyStep(session_factory, secret_key=SECRET_KEY, full_scrub=slow_scrub)
    assert step.sweep() == 0
    assert PrivacyStep(session_factory, secret_key=SECRET_KEY, full_scrub=full).sweep() == 1
    with session_factory() as session:
        row = session.scalars(select(PainPoint)).one()
    assert row.details == "and [name] too" and row.text == "Invoices wait"


def test_a_detail_read_just_before_the_step_finishes_the_row_is_not_lost(
    capture: CaptureService, session_factory: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reply reads the row while it is still sealed; the step then finishes the row before
    # the reply writes. Unlocked, the reply sealed its detail into a row marked done, which no
    # step looked at again (seen on PostgreSQL). Locked, the step waits for the reply.
    capture.record(
        team_id="T1", user_id="U1", submission=PainPointInput("Invoices wait", "dm"), thread_ts="3"
    )
    step = PrivacyStep(session_factory, secret_key=SECRET_KEY, full_scrub=full)
    step_done = threading.Event()
    seal = capture._seal

    def seal_after_the_step(row: PainPoint, **kwargs: str | None) -> None:
        step_done.wait(2)  # the step cannot finish while this row is locked: give up waiting
        seal(row, **kwargs)

    monkeypatch.setattr(capture, "_seal", seal_after_the_step)
    with ThreadPoolExecutor(1) as pool:
        reply = pool.submit(
            capture.add_detail,
            team_id="T1",
            user_id="U1",
            thread_ts="3",
            text="and Tom Baker too",
            event_id=None,
        )
        time.sleep(0.3)  # let the reply read the row first
        step.sweep()
        step_done.set()
        assert reply.result(30).painpoint is not None

    step.sweep()
    with session_factory() as session:
        details, pending, sealed = session.execute(
            select(PainPoint.details, PainPoint.pending_scrub, PainPoint.sealed)
        ).one()
    assert (details, pending, sealed) == ("and [name] too", False, None)


def test_a_row_read_while_the_step_finishes_it_shows_its_text(
    capture: CaptureService, session_factory: SessionFactory
) -> None:
    # The step finishes the row between loading it and opening its sealed text. With the sealed
    # column loaded later (deferred), PostgreSQL's second read saw it cleared while the first
    # still said "pending": the reporter's own form opened empty (seen once in CI).
    result = capture.record(team_id="T1", user_id="U1", submission=PainPointInput(NAMED, "slash"))
    assert result.painpoint is not None
    step = PrivacyStep(session_factory, secret_key=SECRET_KEY, full_scrub=full)

    def finish_the_row(target: PainPoint, context: object) -> None:
        step.sweep()

    event.listen(PainPoint, "load", finish_the_row, once=True)
    try:
        own = capture.get_own(team_id="T1", user_id="U1", painpoint_id=result.painpoint.id)
    finally:
        event.remove(PainPoint, "load", finish_the_row)

    assert own is not None and "invoice approvals" in own.text


def test_text_sealed_under_another_key_stays_sealed_and_unseen(
    session_factory: SessionFactory,
) -> None:
    other = CaptureService(session_factory, secret_key="another-secret-key-0123456789")
    other.record(team_id="T1", user_id="U1", submission=PainPointInput(NAMED, "slash"))

    assert PrivacyStep(session_factory, secret_key=SECRET_KEY, full_scrub=full).sweep() == 0
    with session_factory() as session:
        row = session.scalars(select(PainPoint)).one()
    assert row.pending_scrub and row.text == ""


def test_a_typed_team_gets_the_full_scrub_too_before_anyone_else_sees_it(
    capture: CaptureService, session_factory: SessionFactory
) -> None:
    from bot.services.transfer import painpoint_records

    # No teams configured: the form's team field is free text, like the report itself.
    capture.record(
        team_id="T1",
        user_id="U1",
        submission=PainPointInput("Invoices wait", "modal", team="Maria Gonzalez's team"),
    )
    PrivacyStep(session_factory, secret_key=SECRET_KEY, full_scrub=full).sweep()

    [record] = painpoint_records(session_factory)
    assert record["team"] == "[name]'s team"


def test_a_vector_of_words_changed_meanwhile_is_not_kept(
    capture: CaptureService, session_factory: SessionFactory
) -> None:
    from bot.services.embeddings import EmbeddingService
    from tests.clustering.synthetic import HashingEmbedder

    recorded = capture.record(
        team_id="T1", user_id="U1", submission=PainPointInput("Invoices wait", "dm"), thread_ts="3"
    )
    assert recorded.painpoint is not None
    PrivacyStep(session_factory, secret_key=SECRET_KEY, full_scrub=full).sweep()

    class DetailMeanwhile(HashingEmbedder):
        def embed(self, texts: object) -> object:
            # The reporter adds a detail while the model is busy with the old words.
            capture.add_detail(
                team_id="T1", user_id="U1", thread_ts="3", text="Tom Baker too", event_id=None
            )
            return super().embed(texts)  # type: ignore[arg-type]

    embeddings = EmbeddingService(session_factory, DetailMeanwhile, model_name="hashing-test")
    embeddings.embed_ids([recorded.painpoint.id])

    with session_factory() as session:
        row = session.scalars(select(PainPoint)).one()
        # Sealed again, and no vector: nothing clusters it until its new words are clean,
        # and then they are embedded (a kept vector of the old words would never be redone).
        assert row.pending_scrub and row.embedding_model is None
