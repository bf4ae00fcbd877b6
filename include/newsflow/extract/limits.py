"""Input caps, decoding, and the cooperative and signal-based deadlines for one page.

Caps run before any parser sees the page; the deadlines bound the rest, so a hostile page fails alone.
"""

from __future__ import annotations

import codecs
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

#: Pages above this many bytes of HTML are refused: real articles are far smaller, and
#: parsing cost grows with size.
MAX_HTML_BYTES = 5 * 1024 * 1024
#: Pages with more tags than this are refused before parsing: news pages have a few thousand,
#: and trafilatura's cost grows faster than linearly with the element count.
MAX_TAGS = 100_000
#: Share of the deadline after which optional stages (second opinion, date guessing) are skipped.
OPTIONAL_STAGE_BUDGET = 0.5

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)


class DeadlineExceeded(BaseException):
    """A page has used up its time budget.

    A BaseException, like KeyboardInterrupt, so the extractors' own `except Exception`
    fallbacks cannot swallow it when it is raised from the alarm inside their code."""


@dataclass(frozen=True)
class Deadline:
    """A monotonic point in time after which the page is abandoned."""

    start: float
    budget_s: float

    @classmethod
    def after(cls, budget_s: float) -> Deadline:
        return cls(time.monotonic(), max(0.0, float(budget_s)))

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def remaining(self) -> float:
        return self.budget_s - self.elapsed()

    def check(self, stage: str) -> None:
        if self.remaining() <= 0:
            raise DeadlineExceeded(f"deadline of {self.budget_s:.1f}s exceeded during {stage}")

    def allows_optional(self) -> bool:
        """True while enough budget is left for stages we can do without."""
        return self.elapsed() < self.budget_s * OPTIONAL_STAGE_BUDGET


def decode_html(data: bytes | str) -> str:
    """Bytes to text: BOM, then the declared charset, then UTF-8, then a lenient guess."""
    if isinstance(data, str):
        return data
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    match = _META_CHARSET.search(data[:4096])
    if match:
        try:
            return data.decode(match.group(1).decode("ascii"), errors="replace")
        except (LookupError, UnicodeDecodeError):
            pass  # unknown or lying declaration: fall through to detection
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            return data.decode(best.encoding, errors="replace")
    except Exception:  # detection is a best effort; never fail a page on it
        pass
    return data.decode("cp1252", errors="replace")


def structure_problem(html: str) -> str | None:
    """Why this markup is too pathological to process, or None. Counting is C-fast, no tree.

    Deep nesting needs no check here: libxml2 caps the tree at depth 256 while parsing.
    """
    tags = html.count("<")
    if tags > MAX_TAGS:
        return f"{tags} tags exceed the cap of {MAX_TAGS}"
    return None


@contextmanager
def hard_deadline(seconds: float) -> Iterator[None]:
    """Interrupt the block with DeadlineExceeded after `seconds`, using SIGALRM.

    Trafilatura and readability cannot be stopped from outside, so a cooperative deadline is
    not enough on pathological pages. Signals only work in the main thread of the process;
    elsewhere (worker threads) the block runs unbounded and the caps above are the guard.
    An outer alarm that would fire first (e.g. Airflow's execution_timeout) is left alone.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return
    outer_delay, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    if outer_delay and outer_delay <= seconds:
        yield
        return

    def on_alarm(signum, frame):
        raise DeadlineExceeded(f"hard deadline of {seconds:.1f}s exceeded")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay:  # give the outer alarm back what is left of its time
            left = max(outer_delay - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)
