"""The bounded reader's API (lrcli.inputs.bounded), as other input code (dataset discovery) uses it directly."""

from __future__ import annotations

import os

import pytest
import yaml

from lrcli.errors import LrcliError
from lrcli.inputs import bounded


def test_probe_never_raises_and_tells_kinds_apart(tmp_path):
    (tmp_path / "f").write_text("x")
    os.mkfifo(tmp_path / "fifo")
    os.symlink("nowhere", tmp_path / "dangling")
    assert bounded.probe(tmp_path / "f") is bounded.PathKind.FILE
    assert bounded.probe(tmp_path) is bounded.PathKind.DIRECTORY
    assert bounded.probe(tmp_path / "fifo") is bounded.PathKind.SPECIAL
    assert bounded.probe("/dev/null") is bounded.PathKind.SPECIAL
    assert bounded.probe(tmp_path / "dangling") is bounded.PathKind.MISSING
    assert bounded.probe(tmp_path / "f" / "below") is bounded.PathKind.MISSING
    assert bounded.probe("x" * 5000) is bounded.PathKind.MISSING
    assert bounded.probe("a\0b") is bounded.PathKind.MISSING


def test_read_text_caps_the_size_and_names_the_file(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("x" * 2048)
    assert bounded.read_text(path, "a.yaml", limit=4096) == "x" * 2048
    with pytest.raises(LrcliError, match=r"^a.yaml: the file is 2.0 KiB; lrcli reads such a file up to 1.0 KiB"):
        bounded.read_text(path, "a.yaml", limit=1024)
    path.write_bytes(b"ok\n\xff")
    with pytest.raises(LrcliError, match=r"not UTF-8 text \(byte 4, line 2\)"):
        bounded.read_text(path, "a.yaml")


def test_a_file_in_proc_that_reports_size_zero_is_still_capped():
    with pytest.raises(LrcliError, match="more than"):
        bounded.read_text("/proc/self/maps", "maps", limit=16)


def test_text_lines_streams_with_universal_newlines_and_a_line_cap(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(b"a\r\nb\rc\n\nd")
    assert list(bounded.text_lines(path, "d")) == ["a\n", "b\n", "c\n", "\n", "d"]
    assert list(bounded.text_lines(path, "d", newline="")) == ["a\r\n", "b\r", "c\n", "\n", "d"]
    path.write_text("short\n" + "y" * 100 + "\n")
    lines = bounded.text_lines(path, "d.jsonl", limit=50)
    assert next(lines) == "short\n"
    with pytest.raises(LrcliError, match="line 2 is longer than 50 characters"):
        next(lines)


def test_yaml_has_safe_load_semantics(tmp_path):
    text = "a: 1\nb: 2e-5\nc: 1.0e-5\nd: on\ne: 2024-01-01\nbase: &b {x: 1}\nm:\n  <<: *b\n  y: 2\nl: [*b, *b]\n"
    assert bounded.parse_yaml(text, "t") == yaml.safe_load(text)
    with pytest.raises(LrcliError, match="not valid YAML"):
        bounded.parse_yaml("!!python/object:os.system {}", "t")


@pytest.mark.parametrize(
    ("text", "message"),
    [("a: &a [*a]", "used inside its own value"),
     ("x: " + "[" * 150 + "]" * 150, "nested more than 100 levels"),
     ("a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
      "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f]", "expands to more than 1,000,000 values"),
     ("x: [" + "1," * bounded.YAML_ITEMS + "1]", "YAML items")],
)
def test_yaml_caps(text, message):
    with pytest.raises(LrcliError, match=message):
        bounded.parse_yaml(text, "t.yaml")


def test_recording_collects_what_was_read(tmp_path):
    path = tmp_path / "a.json"
    path.write_text("{}")
    assert bounded.files_read() == []
    with bounded.recording() as records:
        bounded.load_document(path, "a.json")
        assert bounded.files_read() == records
    assert [(r.path, r.inode) for r in records] == [(str(path), path.stat().st_ino)]
    assert bounded.files_read() == []
