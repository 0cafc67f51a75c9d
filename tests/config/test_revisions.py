"""Revision history: every import and export keeps the file text; the admin lists them,
shows a readable diff and restores the exact earlier text."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from channels_app.discord.models import DiscordGuild
from config import runtime
from config.models.revisions import ConfigRevision
from config.sync import export_file, import_file
from tests.config.test_roundtrip import ISSUE_EXAMPLE
from tests.gateway.test_admin_config import change_url, post_data

pytestmark = pytest.mark.django_db

JSON5 = """// my gateway, hand written
{
  gateway: { mode: "local", bind: "loopback" },  // local only
  session: { dmScope: "per-peer" },
}
"""


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def revisions() -> list[ConfigRevision]:
    return list(ConfigRevision.objects.order_by("id"))


def test_an_import_keeps_the_exact_file_text_comments_included(config_file: Path) -> None:
    config_file.write_text(JSON5)
    import_file(config_file, source="file")
    (rev,) = revisions()
    assert rev.text == JSON5
    assert rev.hash == hashlib.sha256(JSON5.encode()).hexdigest()
    assert rev.source == "file"


def test_importing_the_same_text_again_records_nothing(config_file: Path) -> None:
    config_file.write_text(JSON5)
    import_file(config_file, source="file")
    import_file(config_file, source="cli")
    assert len(revisions()) == 1
    config_file.write_text(JSON5.replace("// local only", "// changed comment"))
    import_file(config_file, source="file")
    assert len(revisions()) == 2


def test_a_dry_run_records_no_revision(config_file: Path) -> None:
    config_file.write_text(JSON5)
    import_file(config_file, dry_run=True)
    assert revisions() == []


def test_an_export_records_the_text_it_wrote(config_file: Path) -> None:
    config_file.write_text(ISSUE_EXAMPLE)
    import_file(config_file)
    export_file(source="cli", user="ops")
    last = revisions()[-1]
    assert last.text == config_file.read_text()
    assert (last.source, last.user) == ("cli", "ops")


def test_an_admin_edit_writes_the_file_and_records_who_did_it(
    admin_client: Client, config_file: Path
) -> None:
    config_file.write_text(ISSUE_EXAMPLE)
    import_file(config_file)
    guild = DiscordGuild.objects.get()
    data = post_data(admin_client.get(change_url(guild)))
    data["channels-0-allow"] = "false"
    assert admin_client.post(change_url(guild), data).status_code == 302
    last = revisions()[-1]
    assert last.source == "admin"
    assert last.user == "admin"
    assert "YOUR_GUILD_ID" in last.note
    assert last.text == config_file.read_text()
    assert '"allow": false' in last.text


def test_an_edit_on_disk_overwritten_by_a_forced_export_stays_in_history(
    config_file: Path,
) -> None:
    config_file.write_text(ISSUE_EXAMPLE)
    import_file(config_file)
    edited = ISSUE_EXAMPLE.replace('"bind": "auto"', '"bind": "lan"')
    config_file.write_text(edited)  # over ssh, never imported
    export_file(source="cli", check_stale=False)
    texts = [r.text for r in revisions()]
    assert edited in texts
    kept = revisions()[-2]
    assert kept.text == edited and kept.note.startswith("on disk before")


def test_old_revisions_are_pruned_beyond_the_configured_count(
    config_file: Path, settings: Any
) -> None:
    settings.EPILOOP_CONFIG_REVISIONS_KEEP = 3
    for port in range(18001, 18006):
        config_file.write_text(json.dumps({"gateway": {"port": port}}))
        import_file(config_file)
    kept = [json.loads(r.text)["gateway"]["port"] for r in revisions()]
    assert kept == [18003, 18004, 18005]


def test_the_admin_lists_revisions_with_source_user_hash_note_and_size(
    admin_client: Client, config_file: Path
) -> None:
    config_file.write_text(JSON5)
    import_file(config_file, source="file", note="first import")
    rev = revisions()[0]
    page = admin_client.get(reverse("admin:config_configrevision_changelist")).content.decode()
    assert rev.hash[:12] in page
    assert "first import" in page
    assert f"{len(JSON5.encode())} B" in page
    detail = admin_client.get(reverse("admin:config_configrevision_change", args=[rev.pk]))
    assert "// my gateway, hand written" in detail.content.decode()
    assert "Restore this revision" in detail.content.decode()


def test_the_diff_between_two_revisions_is_readable(
    admin_client: Client, config_file: Path
) -> None:
    config_file.write_text(ISSUE_EXAMPLE)
    import_file(config_file)
    config_file.write_text(ISSUE_EXAMPLE.replace('"bind": "auto"', '"bind": "lan"'))
    import_file(config_file)
    old, new = revisions()
    response = admin_client.post(
        reverse("admin:config_configrevision_changelist"),
        {"action": "compare_selected", "_selected_action": [str(old.pk), str(new.pk)]},
    )
    assert response.status_code == 302
    page = admin_client.get(response["Location"]).content.decode()
    assert '<div class="del">-    &quot;bind&quot;: &quot;auto&quot;</div>' in page
    assert '<div class="add">+    &quot;bind&quot;: &quot;lan&quot;</div>' in page
    assert f"revision {old.pk}" in page and f"revision {new.pk}" in page
    # a revision against the file as it is now
    diff = reverse("admin:config_configrevision_diff")
    same = admin_client.get(f"{diff}?from={new.pk}&to=file").content.decode()
    assert "The two texts are the same." in same


def test_restore_brings_back_the_exact_earlier_text(
    admin_client: Client, config_file: Path
) -> None:
    config_file.write_text(JSON5)
    import_file(config_file, source="file")
    first = revisions()[0]
    config_file.write_text(json.dumps({"gateway": {"mode": "local"}, "session": {}}))
    import_file(config_file, source="file")
    assert runtime.current().session.dm_scope == "per-channel-peer"

    url = reverse("admin:config_configrevision_restore", args=[first.pk])
    response = admin_client.post(url, follow=True)
    assert f"Restored revision {first.pk}" in response.content.decode()
    assert config_file.read_text() == JSON5  # comments and all
    assert config_file.with_name("epiloop.json.bak").exists()
    assert runtime.current().session.dm_scope == "per-peer"
    last = revisions()[-1]
    assert (last.source, last.user, last.note) == (
        "admin",
        "admin",
        f"restored from revision {first.pk}",
    )
    assert last.text == JSON5


def test_restoring_an_invalid_revision_is_refused_and_changes_nothing(
    admin_client: Client, config_file: Path
) -> None:
    config_file.write_text(JSON5)
    import_file(config_file)
    bad = ConfigRevision.objects.create(
        text='{"channels": {"discord": {"groupPolicy": "allow"}}}', hash="x" * 64, source="cli"
    )
    url = reverse("admin:config_configrevision_restore", args=[bad.pk])
    page = admin_client.post(url, follow=True).content.decode()
    assert "Not restored: channels.discord.groupPolicy: must be one of" in page
    assert config_file.read_text() == JSON5
    assert revisions()[-1] == bad


def test_a_websocket_config_write_is_recorded_as_api(config_file: Path) -> None:
    from gateway.protocol import configdoc

    config_file.write_text(JSON5)
    import_file(config_file)
    state = configdoc.read()
    configdoc.write({"session": {"dmScope": "main"}}, state["hash"], patch=True)
    last = revisions()[-1]
    assert last.source == "api"
    assert last.text == config_file.read_text()


def test_live_reload_and_start_up_imports_are_recorded_as_file(config_file: Path) -> None:
    from config.startup import load_for_startup
    from gateway.reload import _import

    config_file.write_text(JSON5)
    load_for_startup(config_file)
    config_file.write_text(JSON5.replace("per-peer", "main"))
    assert _import(config_file).imported
    assert [r.source for r in revisions()] == ["file", "file"]
    assert revisions()[-1].text == config_file.read_text()
