"""`newsflow cluster` and newsflow.cluster: the DAG's grouping over a JSON Lines stream of records.
Fixture: tests/fixtures/cluster/stream.jsonl with its expected grouping in stream.expected.json."""

import gzip
import json
import shutil
from pathlib import Path

import pytest

from newsflow import cli
from newsflow.cluster import RecordError, cluster_records, read_records, record_doc

FIXTURES = Path(__file__).parent / "fixtures" / "cluster"
STREAM = FIXTURES / "stream.jsonl"
EXPECTED = json.loads((FIXTURES / "stream.expected.json").read_text())


def run_cli(capsys, *args) -> tuple[int, list[dict], str]:
    code = cli.main(["cluster", *map(str, args)])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def stories_of(rows: list[dict]) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for r in rows:
        groups.setdefault(r["cluster"], []).append(r["id"])
    return sorted(sorted(g) for g in groups.values())


def test_cli_groups_the_fixture_as_expected(capsys):
    code, rows, _ = run_cli(capsys, STREAM)
    assert code == 0
    assert [r["id"] for r in rows] == [r["id"] for r in read_records(STREAM)]  # input order, one line each
    assert stories_of(rows) == sorted(sorted(s) for s in EXPECTED["stories"])
    # the label of a story is the id of its first record
    for r in rows:
        assert r["cluster"] == next(x["id"] for x in rows if x["cluster"] == r["cluster"])
    assert {r["id"]: r["duplicate_of"] for r in rows if r["duplicate_of"]} == EXPECTED["duplicate_of"]


def test_gzip_input_gives_the_same_output(capsys, tmp_path):
    gz = tmp_path / "stream.jsonl.gz"
    with open(STREAM, "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert run_cli(capsys, gz)[1] == run_cli(capsys, STREAM)[1]


def test_fields_other_than_the_six_are_ignored(tmp_path):
    records = list(read_records(STREAM))
    noisy = [{**r, "story": f"s{i}", "topic": i, "category": "b", "orig_id": f"o{i}"} for i, r in enumerate(records)]
    assert list(cluster_records(noisy)) == list(cluster_records(records))


def test_null_and_missing_fields_are_accepted():
    doc = record_doc(0, {"id": "x", "title": None, "text": None, "date": None, "source": None, "url": None})
    assert (doc.title, doc.text, doc.outlet, doc.url, doc.published_at) == ("", "", "", "", None)
    assert record_doc(1, {"id": "y", "date": "2026-03-01T22:00:00Z"}).published_at.isoformat() == "2026-03-01T22:00:00+00:00"
    assert record_doc(2, {"id": "z", "date": "not a date"}).published_at is None


def test_story_ids_are_stable_when_the_stream_is_cut_into_small_runs():
    records = list(read_records(STREAM))
    whole = {r["id"]: r for r in cluster_records(records)}
    for run_records in (1, 2, 3):
        runs = {r["id"]: r for r in cluster_records(records, run_records=run_records)}
        assert stories_of(list(runs.values())) == stories_of(list(whole.values())), run_records
        assert runs == whole, run_records


def test_records_per_day_option_sets_the_clock(capsys):
    code, rows, _ = run_cli(capsys, STREAM, "--records-per-day", "1")  # one record a day: 72 h = 3 records
    assert code == 0
    by_id = {r["id"]: r for r in rows}
    assert by_id["chile-2"]["cluster"] == "chile-2"  # chile-1 is 4 days earlier: its story is closed
    assert by_id["dk-2"]["cluster"] == "dk-1"  # dk-1 is exactly 3 days earlier: the window is inclusive
    assert by_id["hok-1-tracking"]["duplicate_of"] == "hok-1"  # 6 days: still inside the 168 h dedup window


def test_bad_line_names_file_and_line(capsys, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "title": "ok"}\n\n{"id": "b", "title": \n')
    code, _, err = run_cli(capsys, bad)
    assert code == 2
    assert f"{bad}:3: not a JSON object" in err
    no_id = tmp_path / "noid.jsonl"
    no_id.write_text('{"title": "no id"}\n')
    with pytest.raises(RecordError, match=r"noid.jsonl:1: a record needs an \"id\""):
        list(read_records(no_id))


def test_window_bounds_the_state_of_a_long_stream():
    """Records older than the window are forgotten: a report after the window opens a new story."""
    records = list(read_records(STREAM))
    hok1, hok2 = records[0], records[2]
    filler = [{"id": f"f{i}", "title": f"Brief number {i}", "text": None} for i in range(40)]
    hourly = {"story_window_hours": 24, "dedup_window_hours": 24, "run_records": 5, "records_per_day": 24}
    rows = {r["id"]: r for r in cluster_records([hok1, *filler, hok2], **hourly)}  # 41 h later: window closed
    assert rows["hok-2"]["cluster"] == "hok-2"
    rows = {r["id"]: r for r in cluster_records([hok1, *filler[:3], hok2], **hourly)}
    assert rows["hok-2"]["cluster"] == "hok-1"


def test_unreadable_input_is_a_clear_error(capsys, tmp_path):
    code, _, err = run_cli(capsys, tmp_path / "missing.jsonl")
    assert code == 2 and "missing.jsonl: cannot open" in err
    truncated = tmp_path / "cut.jsonl.gz"
    truncated.write_bytes(gzip.compress(STREAM.read_bytes())[:-40])
    code, rows, err = run_cli(capsys, truncated)
    assert code == 2 and "is it a whole gzip file?" in err
    not_gzip = tmp_path / "plain.jsonl.gz"
    not_gzip.write_bytes(STREAM.read_bytes())
    code, _, err = run_cli(capsys, not_gzip)
    assert code == 2 and "plain.jsonl.gz" in err


def test_hostile_values_are_bounded_or_ignored():
    from newsflow.models import MAX_TEXT_CHARS, MAX_TITLE_CHARS

    doc = record_doc(0, {"id": "x", "title": "T" * 10 * MAX_TITLE_CHARS, "text": "w " * MAX_TEXT_CHARS,
                         "source": ["not", "a", "string"], "url": 42, "date": {"y": 2026}})
    assert len(doc.title) == MAX_TITLE_CHARS and len(doc.text) == MAX_TEXT_CHARS
    assert (doc.outlet, doc.url, doc.published_at) == ("", "", None)
    rows = list(cluster_records([{"id": 1, "title": None, "text": "\x00\ud800 odd"}, {"id": "2", "text": 7}]))
    assert [r["id"] for r in rows] == ["1", "2"]
