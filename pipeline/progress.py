"""A one-line progress display on stderr: files done, rate, ETA. Redrawn at most 5 times a second."""
from __future__ import annotations

import sys
import time
from typing import TextIO

_REDRAW_SECONDS = 0.2


class Progress:
    def __init__(self, label: str, total: int, enabled: bool, stream: TextIO | None = None) -> None:
        self.label, self.total, self.enabled = label, total, enabled
        self.stream = stream or sys.stderr
        self.done = 0
        self.failed = 0
        self._started = time.monotonic()
        self._drawn = 0.0
        self._width = 0

    def advance(self, done: int = 1, failed: int = 0) -> None:
        if not done:
            return
        self.done += done
        self.failed += failed
        now = time.monotonic()
        if self.enabled and (now - self._drawn >= _REDRAW_SECONDS or self.done >= self.total):
            self._drawn = now
            self._draw(now)

    def finish(self) -> None:
        """End the line (the last `advance` drew the final count)."""
        if self.enabled and self._width:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, now: float) -> None:
        elapsed = max(now - self._started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate else None
        line = f"{self.label} {self.done}/{self.total} files  {rate:.1f}/s  ETA {_clock(left)}"
        if self.failed:
            line += f"  {self.failed} failed"
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
