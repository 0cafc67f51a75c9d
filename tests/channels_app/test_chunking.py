"""The fence-aware splitter: every chunk fits, no fence is left open, nothing is lost."""

from __future__ import annotations

import random
import re

import pytest

from channels_app.chunking import split_reply

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def fences_balanced(chunk: str) -> bool:
    open_marker = None
    for line in chunk.split("\n"):
        m = FENCE.match(line)
        if not m:
            continue
        if open_marker is None:
            open_marker = m.group(1)
        elif (
            m.group(1)[0] == open_marker[0]
            and len(m.group(1)) >= len(open_marker)
            and not m.group(2).strip()
        ):
            open_marker = None
    return open_marker is None


def content(text: str) -> str:
    """The text without fence lines and whitespace: what a reader must still see."""
    lines = [line for line in text.split("\n") if not FENCE.match(line)]
    return re.sub(r"\s+", "", "".join(lines))


def test_short_text_is_one_chunk() -> None:
    assert split_reply("hello", 2000) == ["hello"]


def test_empty_text_gives_no_chunks() -> None:
    assert split_reply("  \n ", 2000) == []


def test_paragraphs_are_preferred_break_points() -> None:
    text = ("a" * 60 + "\n\n") + ("b" * 30 + "\n") * 2 + "b" * 10
    assert split_reply(text, 100) == ["a" * 60, ("b" * 30 + "\n") * 2 + "b" * 10]


def test_lines_come_before_words() -> None:
    text = "one two three four\nfive six seven eight"
    assert split_reply(text, 25) == ["one two three four", "five six seven eight"]


def test_words_are_not_cut_when_a_space_is_available() -> None:
    chunks = split_reply("word " * 100, 42)
    assert all(len(c) <= 42 for c in chunks)
    assert all(w == "word" for c in chunks for w in c.split())


def test_a_line_longer_than_the_limit_is_cut_hard() -> None:
    chunks = split_reply("x" * 250, 100)
    assert chunks == ["x" * 100, "x" * 100, "x" * 50]


def test_a_long_code_block_is_closed_and_reopened_with_its_language() -> None:
    code = "\n".join(f"print({i})" for i in range(300))
    text = "Intro\n\n```python\n" + code + "\n```\n\nOutro"
    chunks = split_reply(text, 500)
    assert all(len(c) <= 500 for c in chunks)
    assert all(fences_balanced(c) for c in chunks)
    inner = [c for c in chunks if "print(" in c]
    assert len(inner) > 2
    assert all(c.startswith("```python\n") for c in inner[1:])
    assert all(c.rstrip().endswith("```") for c in inner[:-1])
    assert content("\n".join(chunks)) == content(text)


def test_a_short_fence_moves_whole_to_the_next_chunk_rather_than_breaking() -> None:
    block = "```js\nconst a = 1;\nconst b = 2;\n```"
    text = "p" * 70 + "\n\n" + block
    chunks = split_reply(text, 80)
    assert chunks == ["p" * 70, block]


def test_tilde_fences_are_respected() -> None:
    text = "~~~\n" + "\n".join(f"line {i}" for i in range(60)) + "\n~~~"
    chunks = split_reply(text, 120)
    assert all(len(c) <= 120 and fences_balanced(c) for c in chunks)
    assert all(c.startswith("~~~") for c in chunks)


def test_the_5000_character_reply_of_the_issue_fits_discord() -> None:
    code = (
        "```python\n"
        + "\n".join(f"value_{i} = compute({i})  # step {i}" for i in range(90))
        + "\n```"
    )
    text = ("Some prose. " * 100 + "\n\n" + code + "\n\n" + "More prose. " * 100)[:5000]
    text = text + "\n```" if not fences_balanced(text) else text
    chunks = split_reply(text, 2000)
    assert len(chunks) >= 3
    assert all(len(c) <= 2000 and fences_balanced(c) for c in chunks)
    assert content("\n".join(chunks)) == content(text)


WORDS = ["alpha", "beta", "gamma", "delta", "x" * 30, "epsilon", "z"]


def random_text(rng: random.Random) -> str:
    parts: list[str] = []
    for _ in range(rng.randint(1, 25)):
        kind = rng.random()
        if kind < 0.3:
            lang = rng.choice(["", "python", "js", "bash"])
            marker = rng.choice(["```", "~~~", "````"])
            body = "\n".join(
                " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12)))
                for _ in range(rng.randint(1, 40))
            )
            parts.append(f"{marker}{lang}\n{body}\n{marker}")
        elif kind < 0.4:
            parts.append("y" * rng.randint(50, 400))
        else:
            lines = [
                " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 20)))
                for _ in range(rng.randint(1, 8))
            ]
            parts.append("\n".join(lines))
    return rng.choice(["\n\n", "\n"]).join(parts)


@pytest.mark.parametrize("limit", [60, 150, 500, 2000, 4096])
def test_random_texts_always_split_into_valid_chunks(limit: int) -> None:
    rng = random.Random(limit)
    for _ in range(100 if limit > 100 else 40):
        text = random_text(rng)
        chunks = split_reply(text, limit)
        assert chunks, text
        for chunk in chunks:
            assert len(chunk) <= limit
            assert chunk.strip()
            assert fences_balanced(chunk), chunk
        assert content("\n".join(chunks)) == content(text)


def test_a_limit_too_small_for_any_text_is_an_error() -> None:
    with pytest.raises(ValueError):
        split_reply("x", 0)
