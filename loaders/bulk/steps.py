"""Timing of the bulk import's steps, reported as they finish."""

from __future__ import annotations

import time
from collections.abc import Callable


class Steps:
    """Records the seconds since the previous step under each step's name, and reports it."""

    def __init__(self, progress: Callable[[str], None] | None = None) -> None:
        self.seconds: dict[str, float] = {}
        self.progress = progress
        self.restart()

    def restart(self) -> None:
        self._clock = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self._clock, 3)
        self._clock = now
        if self.progress:
            self.progress(f"{name}: {self.seconds[name]:.1f}s")
