"""Config file timings (not a test): parse+validate, import into the tables, export back,
and what keeping revisions costs (record + prune, diff).

    EPILOOP_STATE_DIR=$(mktemp -d) .venv/bin/python bench/config_io.py [FILE]

Default FILE: the largest config of the corpus (../shared/corpus/openclaw-configs/33-...).
Prints medians of 5 runs in milliseconds.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "epiloop_site.settings")
STATE = Path(os.environ.setdefault("EPILOOP_STATE_DIR", tempfile.mkdtemp()))
os.environ["EPILOOP_CONFIG_PATH"] = str(STATE / "epiloop.json")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from config import revisions  # noqa: E402
from config.io import load_file  # noqa: E402
from config.models.revisions import ConfigRevision  # noqa: E402
from config.sync import config_path, export_file, import_file  # noqa: E402

CORPUS = REPO / ".." / "shared" / "corpus" / "openclaw-configs"


def median_ms(fn: object, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else next(CORPUS.glob("33-*"))
    call_command("migrate", verbosity=0)
    text = source.read_text()
    for name in set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", text)):
        os.environ.setdefault(name, "bench-value")
    work = config_path()
    work.write_text(text)
    print(f"{source.name}: {len(text)} characters")
    print(f"load+validate                      {median_ms(lambda: load_file(work)):8.1f} ms")
    print(f"import (first one +1 revision)     {median_ms(lambda: import_file(work)):8.1f} ms")
    counter = iter(range(10_000))

    def edit_and_import() -> None:
        work.write_text(text + " " * (1 + next(counter)))  # still plain JSON
        import_file(work)

    print(f"import of an edit (+1 revision)    {median_ms(edit_and_import):8.1f} ms")
    print(f"export (write, +1 revision)        {median_ms(lambda: export_file(work)):8.1f} ms")
    for i in range(250):
        revisions.record(text + str(i), f"{i:064x}", "cli")

    def record() -> None:
        revisions.record(text, f"{time.time_ns():064d}", "cli")

    print(f"record + prune at 200 kept         {median_ms(record):8.1f} ms")
    print(f"revisions kept                     {ConfigRevision.objects.count():8d}")
    other = text.replace('"', "'", 50)
    diff = lambda: revisions.unified_diff(text, other, "a", "b")  # noqa: E731
    print(f"unified diff of two versions       {median_ms(diff):8.1f} ms")


if __name__ == "__main__":
    main()
