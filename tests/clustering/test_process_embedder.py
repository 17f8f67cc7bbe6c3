"""ProcessEmbedder: embedding happens in a real child process at the lowest priority."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from clustering.child import ChildStopped
from clustering.embedding import ProcessEmbedder
from tests.clustering.process_probe import DIE_ONCE, WhereAmIEmbedder
from tests.processes import wait_gone

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def embedder() -> Iterator[ProcessEmbedder]:
    embedder = ProcessEmbedder(WhereAmIEmbedder)
    yield embedder
    embedder.close()


def test_texts_are_embedded_in_one_low_priority_child_process(embedder: ProcessEmbedder) -> None:
    first = embedder.embed(["the VPN drops", "invoices by hand"])
    second = embedder.embed(["weekly report"])
    assert first.shape == (2, 3)
    child_pid = int(first[0, 0])
    assert child_pid != os.getpid()
    assert int(second[0, 0]) == child_pid  # the model is loaded once and kept
    assert first[:, 1].tolist() == [19, 19]
    assert first[:, 2].tolist() == [13, 16]
    assert os.getpriority(os.PRIO_PROCESS, 0) < 19  # this process keeps its priority


def test_no_texts_still_answer(embedder: ProcessEmbedder) -> None:
    assert embedder.embed([]).shape == (0, 3)


def test_a_child_that_dies_is_replaced_and_the_batch_is_not_lost(
    embedder: ProcessEmbedder, tmp_path: Path
) -> None:
    before = int(embedder.embed(["warm"])[0, 0])
    out = embedder.embed([f"{DIE_ONCE}{tmp_path / 'died'}", "still here"])
    assert out.shape == (2, 3)
    assert int(out[0, 0]) != before
    assert (tmp_path / "died").exists()


def test_the_child_exits_when_its_parent_is_killed_without_warning() -> None:
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\n"
            "from clustering.embedding import ProcessEmbedder\n"
            "from tests.clustering.process_probe import WhereAmIEmbedder\n"
            "embedder = ProcessEmbedder(WhereAmIEmbedder)\n"
            "print(int(embedder.embed(['hello'])[0, 0]), flush=True)\n"
            "time.sleep(120)\n",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert Path(f"/proc/{child}").exists()
    finally:
        parent.kill()
        parent.wait()
    assert wait_gone([child], seconds=15) == []


def test_callers_that_see_the_same_death_all_get_their_vectors(
    embedder: ProcessEmbedder, tmp_path: Path
) -> None:
    embedder.embed(["warm"])
    marker = tmp_path / "died"
    texts = [[f"{DIE_ONCE}{marker}"], *[[f"caller {n}"] for n in range(5)]]
    with ThreadPoolExecutor(len(texts)) as pool:
        results = list(pool.map(embedder.embed, texts))
    assert marker.exists()
    assert [int(out[0, 2]) for out in results] == [len(batch[0]) for batch in texts]


def test_close_waits_for_the_child_and_a_final_close_refuses_new_work(
    embedder: ProcessEmbedder,
) -> None:
    first = int(embedder.embed(["warm"])[0, 0])
    embedder.close()
    assert wait_gone([first], seconds=5) == []
    second = int(embedder.embed(["again"])[0, 0])
    assert second != first  # a plain close lets a later call start a new child

    embedder.close(final=True)
    assert wait_gone([second], seconds=5) == []
    with pytest.raises(ChildStopped, match="the process is shutting down"):
        embedder.embed(["too late"])
