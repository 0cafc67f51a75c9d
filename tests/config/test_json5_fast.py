"""JSON5 files read through the fast path give exactly what the `json5` parser gives."""

from __future__ import annotations

import json

import json5
import pytest

from config.io import json5_as_json, parse
from tests.config.conftest import CORPUS

FILES = sorted(CORPUS.glob("[0-9]*")) if CORPUS.is_dir() else []

TRICKY = [
    "// comment first\n{a: 1, /* inline */ b: [1, 2,], c: {d: 'x',},}",
    "{'single': 'quoted \"text\"', $dollar_key: true, _u: null}",
    "{a: 'it\\'s'}",
    "{a: .5, b: 5., c: 0x1F, d: +1, e: -Infinity, f: NaN}",
    '{a: "line \\\ncontinued"}',
    '{a: "tab\there"}',
    '{"url": "http://example.com/*not a comment*/", "b": "// nor this", c: 1}',
    "{a: 1, a: 2}",
    "{a: 1e5, b: -0.25E-2, c: [[], {}, [{}]]}",
]


@pytest.mark.parametrize("path", FILES, ids=[p.name[:24] for p in FILES])
def test_every_corpus_file_reads_as_the_json5_parser_reads_it(path: object) -> None:
    text = path.read_text(encoding="utf-8-sig")  # type: ignore[attr-defined]
    document, _, errors, _ = parse(text)
    assert not errors
    assert json.dumps(document) == json.dumps(json5.loads(text))


@pytest.mark.parametrize("text", TRICKY)
def test_unusual_json5_reads_as_the_json5_parser_reads_it(text: str) -> None:
    document, was_json5, errors, _ = parse(text)
    assert not errors and was_json5
    assert json.dumps(document) == json.dumps(json5.loads(text))


@pytest.mark.parametrize("text", ["{a: 1,,}", "[,]", "{,}", "{a: 1", "{a b: 1}"])
def test_broken_text_is_left_to_the_json5_parser_to_report(text: str) -> None:
    document, _, errors, _ = parse(text)
    assert document is None and errors and errors[0].startswith("line ")


def test_duplicate_keys_are_still_named() -> None:
    _, _, _, warnings = parse("{gateway: {port: 1, port: 2}}")
    assert warnings == [
        "gateway.port: key written more than once; the last one wins (remove the others)"
    ]


def test_the_fast_path_declines_what_it_does_not_know() -> None:
    assert json5_as_json("{a: 0x10}") is None
    assert json5_as_json("{a: Infinity}") is None
    assert json5_as_json("{a: 'x\\'y'}") is None
    assert json5_as_json("{a: 1,}") == '{"a":1}'
