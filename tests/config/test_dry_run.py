"""Dry run: `importconfig --dry-run` and the admin's "preview import" report every change
object by object and every problem, and touch nothing (file bytes and database)."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from config.sync import import_file
from tests.config.test_commands import run
from tests.config.test_roundtrip import ISSUE_EXAMPLE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def database() -> str:
    """Every config table and the revision history, as text."""
    out = io.StringIO()
    call_command("dumpdata", "gateway", "agents", "channels_app", stdout=out)
    rows = [r for r in json.loads(out.getvalue()) if r["model"] != "config.configstate"]
    state = [r for r in json.loads(out.getvalue()) if r["model"] == "config.configstate"]
    return json.dumps(rows + [{k: v for k, v in s.items() if k != "synced_at"} for s in state])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edited() -> str:
    """ISSUE_EXAMPLE with one object added, one changed, one removed, other keys changed."""
    doc = json.loads(ISSUE_EXAMPLE)
    doc["agents"]["list"].append({"id": "helper", "name": "Helper"})
    doc["channels"]["discord"]["groupPolicy"] = "open"
    doc["channels"]["discord"]["streaming"] = "partial"
    doc["bindings"] = []
    doc["agents"]["defaults"]["compaction"] = {"mode": "safeguard"}
    doc["hooks"] = {"internal": {"enabled": True}}
    return json.dumps(doc, indent=2)


@pytest.fixture
def imported(config_file: Path) -> Path:
    config_file.write_text(ISSUE_EXAMPLE)
    import_file(config_file)
    config_file.write_text(edited())
    return config_file


def test_a_dry_run_reports_each_object_added_changed_and_removed(imported: Path) -> None:
    code, out, _ = run("importconfig", "--dry-run")
    assert code == 0
    lines = out.splitlines()
    assert "would add agents.list[1]" in lines
    assert (
        'would change channels.discord: groupPolicy "allowlist" -> "open"; streaming + "partial"'
        in lines
    )
    assert 'would change agents.defaults: compaction + {"mode": "safeguard"}' in lines
    assert any(line.startswith("would remove bindings[0]") for line in lines)
    assert "would add hooks" in lines
    assert "kept in the file but not acted on by Epiloop:" in lines
    assert "  hooks" in lines and "  channels.discord.streaming" in lines
    assert lines[-1].startswith("dry run: 5 change(s)")


def test_a_dry_run_writes_nothing(imported: Path) -> None:
    file_before, db_before = digest(imported), database()
    run("importconfig", "--dry-run")
    assert digest(imported) == file_before
    assert database() == db_before
    assert not imported.with_name("epiloop.json.bak").exists()


def test_a_dry_run_lists_every_problem_and_writes_nothing(imported: Path) -> None:
    imported.write_text(
        '{"agents": {"list": [{"name": "x"}]}, "channels": {"discord": {"groupPolicy": "allow"},'
        ' "telegram": {"dmPolicy": "open"}}}'
    )
    file_before, db_before = digest(imported), database()
    code, _, err = run("importconfig", "--dry-run")
    assert code == 1
    assert "agents.list[0].id: " in err
    assert (
        'channels.discord.groupPolicy: must be one of open, allowlist, disabled (got "allow")'
        in err
    )
    assert 'dmPolicy "open" lets anyone message the bot' in err
    assert digest(imported) == file_before and database() == db_before


def test_a_dry_run_of_another_file_leaves_the_config_file_alone(
    imported: Path, tmp_path: Path
) -> None:
    other = tmp_path / "openclaw.json"
    other.write_text('{"channels": {"telegram": {"token": "test-token-abc"}}}')
    file_before, db_before = digest(imported), database()
    code, out, _ = run("importconfig", str(other), "--dry-run")
    assert code == 0, out
    assert "would add channels.telegram" in out
    assert "channels.telegram.token -> channels.telegram.botToken" in out
    assert f"would be written to {imported}" in out
    assert digest(imported) == file_before and database() == db_before


def test_the_admin_preview_shows_the_report_and_touches_nothing(
    admin_client: Client, imported: Path
) -> None:
    file_before, db_before = digest(imported), database()
    url = reverse("admin:config_configrevision_preview")
    page = admin_client.get(url).content.decode()
    assert "<li>add agents.list[1]</li>" in page
    assert "groupPolicy &quot;allowlist&quot; -&gt; &quot;open&quot;" in page
    assert "<li><code>hooks</code></li>" in page
    assert "Import for real" in page
    assert digest(imported) == file_before and database() == db_before

    done = admin_client.post(url, follow=True).content.decode()
    assert "5 change(s)" in done
    assert "No changes: the tables already match the file." in done


def test_the_admin_preview_lists_problems_and_offers_no_import(
    admin_client: Client, imported: Path
) -> None:
    imported.write_text('{"channels": {"discord": {"groupPolicy": "allow"}}}')
    db_before = database()
    page = admin_client.get(reverse("admin:config_configrevision_preview")).content.decode()
    assert "channels.discord.groupPolicy: must be one of" in page
    assert "Import for real" not in page
    assert database() == db_before


def test_the_config_state_page_links_to_the_preview(admin_client: Client, imported: Path) -> None:
    page = admin_client.get("/admin/config/configstate/").content.decode()
    assert reverse("admin:config_configrevision_preview") in page
