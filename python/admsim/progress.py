"""Stopping and watching a long engine call: a token that cancels it from any thread, and the
progress bar asked between blocks (by simulate and by the sensitivity batch call)."""
from __future__ import annotations

import sys
import threading
import time


class CancelToken:
    """Stops a run from any thread: pass ``cancel=token`` to :func:`simulate` (or
    :func:`run_spec`) and call ``token.cancel()``; the run stops at its next block of replicates
    and raises ``KeyboardInterrupt``. (Ctrl-C reaches only a run on the main thread; a run in a
    worker thread, a GUI or a server is stopped this way.)"""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


def tqdm_class():
    """tqdm's notebook bar where Jupyter widgets are installed, its text bar otherwise (tqdm.auto
    would warn "IProgress not found" in a notebook without ipywidgets)."""
    try:
        import ipywidgets  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm.std import tqdm
    return tqdm


class Progress:
    """A tqdm bar for runs longer than about a second (notebook-aware); silent otherwise. Asked
    between blocks; returning False (a cancelled token) stops the run."""

    def __init__(self, enabled: bool, total: int, unit: str = "replicate", desc: str = "admsim",
                 cancel: CancelToken | None = None):
        self.enabled, self.total, self.bar, self.start = enabled, total, None, time.monotonic()
        self.unit, self.desc, self.cancel = unit, desc, cancel

    def __call__(self, done: int, total: int) -> bool:
        if self.cancel is not None and self.cancel.cancelled:
            return False
        if not self.enabled:
            return True
        if self.bar is None and time.monotonic() - self.start > 1.0:
            try:
                tqdm = tqdm_class()
            except ImportError:  # progress is a nicety, never a failure
                self.enabled = False
                return True
            self.bar = tqdm(total=total, unit=self.unit, desc=self.desc, file=sys.stderr)
        if self.bar is not None:
            self.bar.update(done - self.bar.n)
        return True

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
