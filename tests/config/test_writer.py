"""Writing epiloop.json: 2-space JSON in order, atomic, 0600, five rotating backups."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import pytest

from config.writer import backup_paths, write_document


def test_the_file_is_two_space_json_in_document_order_with_meta_stamped(tmp_path: Path) -> None:
    path = tmp_path / "epiloop.json"
    write_document(path, {"zeta": 1, "alpha": {"b": 2, "a": 1}}, version="2026.11.29")
    text = path.read_text()
    assert text.startswith('{\n  "zeta": 1,\n  "alpha": {\n    "b": 2,\n    "a": 1\n  },')
    meta = json.loads(text)["meta"]
    assert meta["lastTouchedVersion"] == "2026.11.29"
    assert meta["lastTouchedAt"].endswith("Z") and meta["lastTouchedAt"].startswith("20")
    assert list(json.loads(text)) == ["zeta", "alpha", "meta"]


def test_an_existing_meta_keeps_its_place_and_other_keys(tmp_path: Path) -> None:
    path = tmp_path / "epiloop.json"
    write_document(path, {"meta": {"wizard": True}, "a": 1}, version="v1")
    doc = json.loads(path.read_text())
    assert list(doc) == ["meta", "a"]
    assert doc["meta"]["wizard"] is True and doc["meta"]["lastTouchedVersion"] == "v1"


def test_the_file_is_private_to_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "epiloop.json"
    write_document(path, {"a": 1}, version="v")
    write_document(path, {"a": 2}, version="v")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup_paths(path)[0].stat().st_mode) == 0o600


def test_the_five_previous_versions_rotate_into_backups(tmp_path: Path) -> None:
    path = tmp_path / "epiloop.json"
    for n in range(1, 8):
        write_document(path, {"n": n}, version="v")
    assert json.loads(path.read_text())["n"] == 7
    names = [p.name for p in backup_paths(path)]
    assert names == [
        "epiloop.json.bak",
        "epiloop.json.bak.1",
        "epiloop.json.bak.2",
        "epiloop.json.bak.3",
        "epiloop.json.bak.4",
    ]
    assert [json.loads(p.read_text())["n"] for p in backup_paths(path)] == [6, 5, 4, 3, 2]
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_failed_write_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "epiloop.json"
    write_document(path, {"n": 1}, version="v")

    def crash(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        write_document(path, {"n": 2}, version="v")
    assert json.loads(path.read_text())["n"] == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_replacing_a_json5_file_says_once_that_comments_are_gone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "epiloop.json"
    path.write_text("// keep me\n{a: 1,}\n")
    with caplog.at_level(logging.INFO, logger="epiloop.config"):
        write_document(path, {"a": 1}, version="v")
        write_document(path, {"a": 2}, version="v")
    notes = [r.getMessage() for r in caplog.records if "comments are gone" in r.getMessage()]
    assert len(notes) == 1
    assert "epiloop.json.bak" in notes[0]
    assert backup_paths(path)[1].read_text() == "// keep me\n{a: 1,}\n"
