"""Grouping of docs into copies and stories (the code the DAG's group_stories runs), and `newsflow cluster`:
the same grouping over a JSON Lines file of records, read in file order as a stream of runs."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsflow.dedup import DocKeys, find_duplicates
from newsflow.models import MAX_FIELD_CHARS, MAX_TEXT_CHARS, MAX_TITLE_CHARS, Doc, DuplicateLink, StoryAssignment
from newsflow.stories import Profile, TermSpace, assign_stories
from newsflow.urlnorm import canonicalize_url

#: Records grouped together as one run (the DAG groups one day's new articles per run; a file has no days). Each run
#: rebuilds the window's dedup band index and vector space, so larger runs spend less per record on that (5,000:
#: 10k vs 100k generated records 10.4-10.9x the CPU time, docs/dedup.md "Scale"; 2,048 measured 14.0x before the
#: neighbor search and dedup candidates were made cheaper) while memory stays bounded by the run plus the window.
RUN_RECORDS = 5000
#: A record carries no fetch time, so the stream keeps its own clock: RECORDS_PER_DAY records a day, in file
#: order (a regional aggregator's daily intake). The story window (Settings.story_window_hours, 72 h) then holds
#: the last 4,320 records and the dedup window (168 h) the last 10,080, which bounds the state and the work per
#: record on any file size. Record dates are not used as the clock: in real files they are sparse and
#: unreliable (ECB+ has a date on a third of its documents, parsed from datelines), and a wrong date would throw
#: a report out of its window. `newsflow cluster --records-per-day N` sets the rate.
RECORDS_PER_DAY = 1440
STREAM_START = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Grouping:
    """What one run of grouping decides: copies (each pointing at its earliest original) and story places."""

    duplicates: list[DuplicateLink]
    stories: list[StoryAssignment]

    def story_of(self, known: Mapping[int, int]) -> dict[int, int]:
        """article_id -> story_id: `known` (grouped before) plus this run's docs; a copy is in its original's
        story (links already point at the root, which is an original)."""
        story = dict(known)
        story.update((a.article_id, a.story_id) for a in self.stories)
        for link in self.duplicates:
            story[link.article_id] = story[link.duplicate_of]
        return story


@dataclass
class _Caches:
    """What a stream keeps per doc between runs, computed once each: featurized terms, neighbor profiles and
    dedup keys (the caches of assign_stories and find_duplicates)."""

    space: TermSpace = field(default_factory=TermSpace)
    profiles: dict[int, Profile] = field(default_factory=dict)
    dedup_keys: dict[int, DocKeys] = field(default_factory=dict)

    def retain(self, article_ids: Container[int]) -> None:
        """Forget the docs that left the window."""
        self.space.retain(article_ids)
        self.profiles = {aid: p for aid, p in self.profiles.items() if aid in article_ids}
        self.dedup_keys = {aid: k for aid, k in self.dedup_keys.items() if aid in article_ids}


def group_docs(new: Sequence[Doc], recent: Sequence[Doc], *, story_window_hours: float,
               space: TermSpace | None = None, profiles: dict[int, Profile] | None = None,
               dedup_keys: dict[int, DocKeys] | None = None) -> Grouping:
    """Mark the copies among `new` (against `recent` and each other), then place the originals in stories.

    `recent`: already grouped docs inside the windows, with story_id and duplicate_of set. Copies are not
    clustered: they join their original's story (the caller follows the link). `space` and `profiles` are
    the caches of newsflow.stories.assign_stories, `dedup_keys` the one of newsflow.dedup.find_duplicates:
    a caller that streams many runs in one process keeps them between runs."""
    links = find_duplicates(new, recent, keys=dedup_keys)
    copies = {link.article_id for link in links}
    originals = [d for d in new if d.article_id not in copies]
    independent_recent = [d for d in recent if d.duplicate_of is None]
    return Grouping(links, assign_stories(originals, independent_recent, window_hours=story_window_hours,
                                          space=space, profiles=profiles))


class RecordError(ValueError):
    """A record of the input file cannot be read; the message names the file and line."""


def read_records(path: str | Path) -> Iterator[dict]:
    """Records of a .jsonl or .jsonl.gz file, in file order; blank lines skipped."""
    path = Path(path)
    try:
        raw = gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise RecordError(f"{path}: cannot open ({exc.strerror or exc}): check the path") from None
    with raw, io.TextIOWrapper(raw, encoding="utf-8", errors="replace") as fh:
        try:
            yield from _parse_lines(path, fh)
        except (OSError, EOFError, zlib.error) as exc:
            raise RecordError(f"{path}: unreadable after the last good line ({exc}): is it a whole gzip file?") from None


def _parse_lines(path: Path, fh) -> Iterator[dict]:
    for lineno, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RecordError(f"{path}:{lineno}: not a JSON object ({exc.msg}): fix or remove the line") from None
        if not isinstance(rec, dict) or rec.get("id") is None:
            raise RecordError(f"{path}:{lineno}: a record needs an \"id\" field: fix or remove the line")
        yield rec


def _text(value, limit: int) -> str:
    # The warehouse's own bounds (newsflow.models): a record cannot make one doc cost more than an article can.
    return value[:limit] if isinstance(value, str) else ""


def _date(value) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _seen(position: int, records_per_day: float) -> datetime:
    return STREAM_START + timedelta(days=position / records_per_day)


def record_doc(position: int, rec: dict, records_per_day: float = RECORDS_PER_DAY) -> Doc:
    """The Doc of the record at 0-based `position`: its ordinal is its article_id, its position its seen time.
    Only id, title, text, date, source and url are read; anything else in the record is ignored. Values that
    are not strings count as missing; long ones are cut to the warehouse's bounds."""
    url = _text(rec.get("url"), MAX_FIELD_CHARS)
    return Doc(
        article_id=position + 1,
        url=url,
        canonical_url=canonicalize_url(url) if url else "",
        outlet=_text(rec.get("source"), MAX_FIELD_CHARS),
        title=_text(rec.get("title"), MAX_TITLE_CHARS),
        text=_text(rec.get("text"), MAX_TEXT_CHARS),
        published_at=_date(rec.get("date")),
        first_seen_at=_seen(position, records_per_day),
    )


def cluster_records(records: Iterable[dict], *, story_window_hours: float = 72.0, dedup_window_hours: float = 168.0,
                    run_records: int = RUN_RECORDS, records_per_day: float = RECORDS_PER_DAY) -> Iterator[dict]:
    """Yield {"id", "cluster", "duplicate_of"} per record, in input order, run by run.

    `cluster` is the id of the record that opened the story (stable: later runs never renumber it);
    `duplicate_of` the id of the earliest record this one copies, else None. State kept between runs: the
    docs of stories still inside the window, as the DAG reads them back from the warehouse."""
    window = timedelta(hours=max(story_window_hours, dedup_window_hours))
    recent: list[Doc] = []
    record_id: dict[int, str] = {}  # article_id -> record id, for docs still in `recent` and this run
    caches = _Caches()
    position = 0
    batch: list[dict] = []
    for rec in records:
        batch.append(rec)
        if len(batch) >= run_records:
            yield from _run(batch, position, recent, record_id, caches, story_window_hours, records_per_day)
            position += len(batch)
            batch = []
            recent, record_id = _prune(recent, record_id, _seen(position, records_per_day), window)
            caches.retain(record_id)
    if batch:
        yield from _run(batch, position, recent, record_id, caches, story_window_hours, records_per_day)


def _run(batch: list[dict], position: int, recent: list[Doc], record_id: dict[int, str],
         caches: _Caches, story_window_hours: float, records_per_day: float) -> Iterator[dict]:
    docs = [record_doc(position + i, rec, records_per_day) for i, rec in enumerate(batch)]
    for d, rec in zip(docs, batch):
        record_id[d.article_id] = str(rec["id"])
    grouping = group_docs(docs, recent, story_window_hours=story_window_hours, space=caches.space,
                          profiles=caches.profiles, dedup_keys=caches.dedup_keys)
    story_of = grouping.story_of({d.article_id: d.story_id for d in recent})
    dup_of = {link.article_id: link.duplicate_of for link in grouping.duplicates}
    for d in docs:
        original = dup_of.get(d.article_id)
        recent.append(replace(d, story_id=story_of[d.article_id], duplicate_of=original))
        yield {"id": record_id[d.article_id], "cluster": record_id[story_of[d.article_id]],
               "duplicate_of": record_id[original] if original is not None else None}


def _prune(recent: list[Doc], record_id: dict[int, str], now: datetime,
           window: timedelta) -> tuple[list[Doc], dict[int, str]]:
    """Keep the docs of the stories whose last member is inside the window (the DAG's recent_grouped_docs)."""
    last: dict[int, datetime] = {}
    for d in recent:
        last[d.story_id] = max(last.get(d.story_id, d.first_seen_at), d.first_seen_at)
    kept = [d for d in recent if last[d.story_id] > now - window]
    keep_ids = {d.article_id for d in kept} | {d.story_id for d in kept} | {
        d.duplicate_of for d in kept if d.duplicate_of is not None}
    return kept, {aid: rid for aid, rid in record_id.items() if aid in keep_ids}
