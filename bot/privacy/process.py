"""The full scrub in a low-priority child process, so spaCy never competes with request
threads for this process's interpreter lock (the same reason embeddings run in a child)."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Sequence

from bot.domain.pii_patterns import IdPattern
from bot.privacy.scrub import Scrubber
from clustering.child import OneChild

_child: Scrubber | None = None


def _exit_with_parent(parent_pid: int) -> None:
    # A parent killed without warning cannot stop its child; the child notices instead.
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(0)


def _start_child(id_patterns: tuple[IdPattern, ...]) -> None:
    global _child
    threading.Thread(
        target=_exit_with_parent, args=(os.getppid(),), name="exit-with-parent", daemon=True
    ).start()
    with contextlib.suppress(AttributeError, OSError):  # not POSIX or not allowed: as is
        os.setpriority(os.PRIO_PROCESS, 0, 19)
    _child = Scrubber(id_patterns)
    _child.warm_up()


def _full_in_child(texts: list[str]) -> list[str]:
    assert _child is not None, "the child was started without a scrubber"
    return [_child.full(text) for text in texts]


class ProcessScrubber:
    """`full()` over many texts in a child at nice 19; the child restarts if it dies."""

    def __init__(self, id_patterns: Sequence[IdPattern] = ()) -> None:
        self._child = OneChild(_start_child, (tuple(id_patterns),))

    def full_many(self, texts: list[str]) -> list[str]:
        """The full scrub of each text, in order."""
        return self._child.call(_full_in_child, [str(text) for text in texts])

    def close(self, *, final: bool = False) -> None:
        """Stop the child process; a later call starts a new one unless `final`."""
        self._child.close(final=final)
