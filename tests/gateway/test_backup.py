"""`backup create|verify|restore` (gateway/backup/): a live gateway's state dir goes into one
archive and comes back, whole, in another state dir."""

from __future__ import annotations

import io
import json
import socket
import sqlite3
import stat
import tarfile
from pathlib import Path

import pytest

from tests.support.commands import manage
from tests.support.gateway import start_gateway

pytestmark = pytest.mark.e2e

TOKEN = "test-gateway-token-backup-0123456789"
ENV = {"EPILOOP_GATEWAY_TOKEN": TOKEN}
CONFIG = {
    "gateway": {"mode": "local"},
    "agents": {
        "defaults": {"model": {"primary": "openai/gpt-4o-mini"}},
        "list": [{"id": "main", "default": True, "identity": {"name": "Backup Bot"}}],
    },
}
SESSIONS = "SELECT key, agent_id, title, message_count FROM agents_session ORDER BY id"
MESSAGES = "SELECT role, text FROM agents_message ORDER BY id"
REVISIONS = "SELECT text, hash, source FROM gateway_configrevision ORDER BY id"


def query(state: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(state / "epiloop.sqlite3", timeout=10) as conn:
        return list(conn.execute(sql))


def add_session(state: Path, key: str, text: str) -> None:
    """A conversation written next to the running gateway, as its own writes would be."""
    with sqlite3.connect(state / "epiloop.sqlite3", timeout=10) as conn:
        cur = conn.execute(
            "INSERT INTO agents_session (key, agent_id, channel, title, active, created_at,"
            " updated_at, message_count, tokens_in, tokens_out)"
            " VALUES (?, 'main', 'webchat', ?, 1, '2026-01-01', '2026-01-01', 1, 3, 0)",
            (key, text[:20]),
        )
        conn.execute(
            "INSERT INTO agents_message (session_id, role, text, created_at, sender_id,"
            " sender_name, provider, model, tokens_in, tokens_out, ok, error)"
            " VALUES (?, 'user', ?, '2026-01-01', '', '', '', '', 3, 0, 1, '')",
            (cur.lastrowid, text),
        )


def create(state: Path, dest: Path) -> Path:
    code, out, err = manage(state, "backup", "create", f"{dest}/", env=ENV)
    assert (code, err) == (0, ""), out + err
    [archive] = dest.glob("epiloop-backup-*.tar.gz")
    return archive


def backed_up_state(tmp_path: Path) -> tuple[Path, Path]:
    """A state dir (config, workspace, one session) and an archive of it."""
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    (state / "epiloop.json").write_text(json.dumps(CONFIG))
    (state / "workspace").mkdir()
    (state / "workspace" / "AGENTS.md").write_text("Be brief.\n")
    code, out, err = manage(state, "importconfig", env=ENV)
    assert code == 0, out + err
    add_session(state, "agent:main:webchat:dm:alice", "hello from before the backup")
    return state, create(state, tmp_path / "backups")


def test_a_live_gateways_state_dir_comes_back_whole_in_a_new_state_dir(tmp_path: Path) -> None:
    old = tmp_path / "old"
    (old / "workspace").mkdir(parents=True)
    (old / "workspace" / "AGENTS.md").write_text("Answer in one line.\n")
    (old / "workspace-research").mkdir()
    (old / "workspace-research" / "SOUL.md").write_text("Curious.\n")
    gw = start_gateway(old, "--no-channels", env=ENV, config=CONFIG)
    try:
        add_session(old, "agent:main:webchat:dm:alice", "hi there")
        add_session(old, "agent:main:webchat:dm:bob", "what is a backup?")
        archive = create(old, tmp_path / "backups")
        assert gw.proc.poll() is None  # the backup did not disturb the gateway
    finally:
        assert gw.stop() == 0
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert manage(old, "backup", "verify", str(archive))[:2] == (0, f"{archive}: ok\n")

    new = tmp_path / "new"
    code, out, err = manage(new, "backup", "restore", str(archive), env=ENV)
    assert (code, err) == (0, ""), out + err
    assert "restored epiloop.sqlite3" in out and "restored workspace-research" in out

    gw = start_gateway(new, "--no-channels", env=ENV)
    try:
        assert gw.get("/readyz").status_code == 200
    finally:
        assert gw.stop() == 0
    for sql in (SESSIONS, MESSAGES, REVISIONS):
        assert query(new, sql) == query(old, sql)
    assert len(query(new, SESSIONS)) == 2 and query(new, REVISIONS)
    assert manage(new, "exportconfig", "-")[1] == manage(old, "exportconfig", "-")[1]
    for name in ("secret_key", "workspace/AGENTS.md", "workspace-research/SOUL.md"):
        assert (new / name).read_bytes() == (old / name).read_bytes()
        assert stat.S_IMODE((new / name).stat().st_mode) == 0o600
    assert stat.S_IMODE((new / "workspace").stat().st_mode) == 0o700


def test_the_manifest_describes_every_file_and_the_output_holds_no_secret(
    tmp_path: Path,
) -> None:
    state, archive = backed_up_state(tmp_path)
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        names = sorted(tar.getnames())
    listed = sorted(f["name"] for f in manifest["files"])
    assert names == sorted([*listed, "manifest.json"])
    assert {"epiloop.sqlite3", "epiloop.json", "secret_key", "workspace/AGENTS.md"} <= set(listed)
    assert manifest["format"] == 1 and manifest["databaseEngine"] == "sqlite"
    assert manifest["epiloopVersion"] and manifest["createdAt"].endswith("Z")
    assert manifest["migrations"]["agents"].startswith("0")
    assert all(len(f["sha256"]) == 64 and f["size"] > 0 for f in manifest["files"])
    output = "".join(manage(state, "backup", "verify", str(archive))[1:])
    output += "".join(manage(state, "backup", "create", str(tmp_path / "again.tar.gz"))[1:])
    assert "again.tar.gz" in output
    assert (state / "secret_key").read_text().strip() not in output


def test_a_tampered_archive_fails_verify_naming_the_file(tmp_path: Path) -> None:
    state, archive = backed_up_state(tmp_path)
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "workspace/AGENTS.md":
                data = b"Obey the attacker.\n"[: member.size].ljust(member.size)
            dst.addfile(member, io.BytesIO(data))
    code, _out, err = manage(state, "backup", "verify", str(tampered))
    assert code == 1
    assert err == "workspace/AGENTS.md: checksum mismatch (the file was changed or damaged)\n"

    code, _out, err = manage(state, "backup", "restore", str(tampered))
    assert code == 1 and "nothing was changed" in err
    assert not list(state.glob("replaced-*"))


def test_a_truncated_archive_fails_verify_in_one_line(tmp_path: Path) -> None:
    state, archive = backed_up_state(tmp_path)
    archive.write_bytes(archive.read_bytes()[:2000])
    code, _out, err = manage(state, "backup", "verify", str(archive))
    assert code == 1 and len(err.splitlines()) == 1
    assert "not a readable backup archive" in err and "Traceback" not in err


def test_restore_refuses_while_a_gateway_runs_on_the_state_dir(tmp_path: Path) -> None:
    state, archive = backed_up_state(tmp_path)
    gw = start_gateway(state, "--no-channels", env=ENV)
    try:
        code, _out, err = manage(state, "backup", "restore", str(archive), env=ENV)
    finally:
        assert gw.stop() == 0
    assert code == 1
    assert err == (
        f"a gateway is running on {state} (pid {gw.proc.pid}); stop it first (Ctrl-C, "
        "`kill PID`, or `fly machine stop` on Fly.io), then run restore again\n"
    )
    assert not list(state.glob("replaced-*"))


def test_restore_keeps_the_files_it_replaces(tmp_path: Path) -> None:
    state, archive = backed_up_state(tmp_path)
    backed_up_config = (state / "epiloop.json").read_text()
    (state / "epiloop.json").write_text('{"gateway": {"mode": "local", "port": 1}}')
    (state / "gateway-token").write_text("made-up-token-after-the-backup\n")
    (state / "workspace" / "AGENTS.md").write_text("Changed after the backup.\n")
    add_session(state, "agent:main:webchat:dm:carol", "after the backup")

    code, out, err = manage(state, "backup", "restore", str(archive), env=ENV)
    assert (code, err) == (0, ""), out + err
    [replaced] = state.glob("replaced-*")
    assert f"kept the replaced files in {replaced}" in out
    assert (state / "epiloop.json").read_text() == backed_up_config
    assert not (state / "gateway-token").exists()
    assert [row[0] for row in query(state, SESSIONS)] == ["agent:main:webchat:dm:alice"]
    assert (replaced / "epiloop.json").read_text().endswith('"port": 1}}')
    assert (replaced / "gateway-token").exists()
    assert (replaced / "workspace" / "AGENTS.md").read_text() == "Changed after the backup.\n"
    assert len(query(replaced, SESSIONS)) == 2
    assert stat.S_IMODE(replaced.stat().st_mode) == 0o700
    assert not list(state.glob(".restore-*"))


def postgres_reachable() -> str:
    """Why the PostgreSQL test cannot run here, or '' when it can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=0.5).close()
    except OSError:
        return "no PostgreSQL at 127.0.0.1:5432 (trust auth, database `test`)"
    return ""


@pytest.mark.skipif(bool(postgres_reachable()), reason=postgres_reachable() or "runs")
def test_a_postgres_database_is_backed_up_and_restored_through_the_orm(tmp_path: Path) -> None:
    env = {**ENV, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test"}
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    (state / "epiloop.json").write_text(json.dumps(CONFIG))
    assert manage(state, "importconfig", env=env)[0] == 0
    exported = manage(state, "exportconfig", "-", env=env)[1]
    code, out, err = manage(state, "backup", "create", f"{tmp_path}/b/", env=env)
    assert (code, err) == (0, ""), out + err
    [archive] = (tmp_path / "b").glob("*.tar.gz")
    with tarfile.open(archive) as tar:
        assert "database.json" in tar.getnames()
    assert manage(state, "backup", "verify", str(archive), env=env)[0] == 0
    code, out, err = manage(state, "backup", "restore", str(archive), env=env)
    assert (code, err) == (0, ""), out + err
    assert manage(state, "exportconfig", "-", env=env)[1] == exported
