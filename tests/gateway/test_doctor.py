"""`doctor`: one test per check id (it fires when it should and stays quiet when it should
not), then the command itself: output lines, exit status, `--fix`, and `check --deploy`."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from agents.models import AuthProfile
from config import runtime
from config.io import load_file
from gateway.doctor import Context, Finding, run
from tests.support.commands import manage

STRONG = "test-token-0123456789abcdefghij"  # 31 characters


@pytest.fixture(autouse=True)
def clean_env(settings: Any) -> Iterator[None]:
    """No value from the real environment reaches a check (restored by the fixture)."""
    settings.EPILOOP_ENV = {key: "" for key in settings.EPILOOP_ENV}
    settings.EPILOOP_ENVIRON = {}
    settings.EPILOOP_IN_CONTAINER = False
    runtime.reset()
    yield
    runtime.reset()


def write(path: Path, document: Any, mode: int = 0o600) -> Path:
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    path.chmod(mode)
    return path


def ctx(
    tmp_path: Path,
    document: Any = None,
    *,
    environ: dict[str, str] | None = None,
    fly_app: str = "",
    root: Path | None = None,
    state_dir: Path | None = None,
) -> Context:
    path = tmp_path / "epiloop.json"
    if document is not None:
        write(path, document)
    return Context(
        config_path=path,
        state_dir=state_dir or tmp_path,
        load=load_file(path, environ=environ or {}),
        fly_app=fly_app,
        root=root or Path("/"),
    )


def found(context: Context, check_id: str) -> list[Finding]:
    return [f for f in run(context) if f.id == check_id]


def minimal(**sections: Any) -> dict[str, Any]:
    """A config that passes every check (given an Anthropic key), plus `sections`."""
    return {"gateway": {"mode": "local"}, **sections}


@pytest.fixture
def anthropic_key(settings: Any) -> None:
    settings.EPILOOP_ENV["anthropic_api_key"] = "test-key-anthropic"


# -- config file ---------------------------------------------------------------------------


def test_e001_names_the_json_path_of_each_problem(tmp_path: Path, anthropic_key: None) -> None:
    bad = minimal(channels={"discord": {"groupPolicy": "allow", "token": "t"}})
    (finding,) = found(ctx(tmp_path, bad), "epiloop.E001")
    assert finding.message.startswith("channels.discord.groupPolicy: must be one of")
    assert finding.is_error and finding.hint
    assert not found(ctx(tmp_path, minimal()), "epiloop.E001")


def test_e001_reports_a_syntax_error_with_file_line_and_column(tmp_path: Path) -> None:
    (finding,) = found(ctx(tmp_path, '{"gateway": {"mode": "local",,}'), "epiloop.E001")
    assert finding.message.startswith("epiloop.json: line 1, column")


def test_e002_says_when_there_is_no_config_file(tmp_path: Path, anthropic_key: None) -> None:
    (finding,) = found(ctx(tmp_path), "epiloop.E002")
    assert str(tmp_path / "epiloop.json") in finding.message
    assert "--allow-unconfigured" in finding.hint
    assert not found(ctx(tmp_path, minimal()), "epiloop.E002")


def test_e003_reports_a_state_dir_that_cannot_be_written(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "state"
    not_a_dir.write_text("a file where the state dir should be")  # refuses even root
    (finding,) = found(ctx(tmp_path, minimal(), state_dir=not_a_dir), "epiloop.E003")
    assert str(not_a_dir) in finding.message
    assert not found(ctx(tmp_path, minimal()), "epiloop.E003")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epiloop.json", "state"]  # no probe left


def test_e004_on_fly_the_state_dir_must_not_share_the_root_disk(tmp_path: Path) -> None:
    same_disk = tmp_path.parent
    (finding,) = found(
        ctx(tmp_path, minimal(), fly_app="my-epiloop", root=same_disk), "epiloop.E004"
    )
    assert "FLY_APP_NAME=my-epiloop" in finding.message and "/data" in finding.hint
    # Off Fly the same layout is fine; on Fly a state dir on another device is a volume.
    assert not found(ctx(tmp_path, minimal(), root=same_disk), "epiloop.E004")
    other_device = Path("/proc")
    if os.stat(other_device).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("/proc is not a separate device here")
    assert not found(
        ctx(tmp_path, minimal(), fly_app="my-epiloop", root=other_device), "epiloop.E004"
    )


def test_e005_a_lan_bind_needs_a_token_or_password(tmp_path: Path, settings: Any) -> None:
    lan = minimal(gateway={"mode": "local", "bind": "lan"})
    (finding,) = found(ctx(tmp_path, lan), "epiloop.E005")
    assert "Refusing to bind gateway to lan without auth" in finding.message
    settings.EPILOOP_ENV["gateway_token"] = STRONG
    assert not found(ctx(tmp_path, lan), "epiloop.E005")
    with_password = minimal(gateway={"mode": "local", "bind": "lan", "auth": {"password": "pw"}})
    settings.EPILOOP_ENV["gateway_token"] = ""
    assert not found(ctx(tmp_path, with_password), "epiloop.E005")


def test_e005_on_fly_the_gateway_binds_lan_whatever_the_config_says(tmp_path: Path) -> None:
    # fly.toml starts `rungateway --bind lan`; a volume stands in for /data (not E004's test).
    context = ctx(tmp_path, minimal(), fly_app="my-epiloop", root=Path("/proc"))
    (finding,) = found(context, "epiloop.E005")
    assert finding.message.startswith("bind lan (0.0.0.0) has no gateway token or password")


def test_e005_stays_quiet_on_loopback_and_generates_nothing(tmp_path: Path) -> None:
    assert not found(ctx(tmp_path, minimal()), "epiloop.E005")
    assert not (tmp_path / "gateway-token").exists()


def test_e006_a_short_token_off_loopback_is_an_error(tmp_path: Path) -> None:
    weak = minimal(gateway={"mode": "local", "bind": "lan", "auth": {"token": "short-token"}})
    (finding,) = found(ctx(tmp_path, weak), "epiloop.E006")
    assert "11 characters (under 24)" in finding.message
    assert "short-token" not in finding.message + finding.hint
    strong = minimal(gateway={"mode": "local", "bind": "lan", "auth": {"token": STRONG}})
    assert not found(ctx(tmp_path, strong), "epiloop.E006")


def test_w004_a_short_token_on_loopback_is_a_warning(tmp_path: Path, anthropic_key: None) -> None:
    weak = minimal(gateway={"mode": "local", "auth": {"token": "short-token"}})
    assert [f.id for f in run(ctx(tmp_path, weak))] == ["epiloop.W004"]
    strong = minimal(gateway={"mode": "local", "auth": {"token": STRONG}})
    assert not found(ctx(tmp_path, strong), "epiloop.W004")


def test_e007_every_model_in_use_needs_a_key(tmp_path: Path, settings: Any) -> None:
    doc = minimal(
        agents={
            "defaults": {"model": {"primary": "anthropic/claude-opus-4-5"}},
            "list": [{"id": "main"}, {"id": "coder", "model": {"fallbacks": ["openai/gpt-4o"]}}],
        }
    )
    messages = [f.message for f in found(ctx(tmp_path, doc), "epiloop.E007")]
    assert messages[0].startswith("model anthropic/claude-opus-4-5 (agent main, coder): no API key")
    assert messages[1].startswith("model openai/gpt-4o (agent coder): no API key for openai")
    settings.EPILOOP_ENV["anthropic_api_key"] = "test-key-anthropic"
    settings.EPILOOP_ENV["openai_api_key"] = "test-key-openai"
    assert not found(ctx(tmp_path, doc), "epiloop.E007")


def test_e007_accepts_local_servers_and_keys_in_the_config(tmp_path: Path) -> None:
    doc = minimal(
        agents={"defaults": {"model": "ollama/llama3"}},
        models={"providers": {"ollama": {"baseUrl": "http://127.0.0.1:11434/v1"}}},
    )
    assert not found(ctx(tmp_path, doc), "epiloop.E007")
    doc = minimal(
        agents={"defaults": {"model": "openai/gpt-4o"}},
        models={"providers": {"openai": {"apiKey": "${OPENAI_KEY}"}}},
    )
    assert not found(ctx(tmp_path, doc, environ={"OPENAI_KEY": "test-key"}), "epiloop.E007")


@pytest.mark.django_db
def test_e007_accepts_a_key_stored_in_an_auth_profile(tmp_path: Path) -> None:
    doc = minimal(auth={"profiles": {"anthropic:me": {"provider": "anthropic", "mode": "api_key"}}})
    assert found(ctx(tmp_path, doc), "epiloop.E007")
    profile = AuthProfile(profile_id="anthropic:me", provider="anthropic", mode="api_key")
    profile.set_secret("test-key-from-profile")
    profile.save()
    assert not found(ctx(tmp_path, doc), "epiloop.E007")


def test_e007_leaves_the_applied_config_of_the_process_alone(tmp_path: Path) -> None:
    before = runtime.current()
    run(ctx(tmp_path, minimal(agents={"defaults": {"model": "openai/gpt-4o"}})))
    assert runtime.current() is before


def test_e008_an_enabled_channel_needs_a_token(
    tmp_path: Path, settings: Any, anthropic_key: None
) -> None:
    doc = minimal(channels={"discord": {"enabled": True}, "telegram": {}})
    names = [f.message.split(" ", 1)[0] for f in found(ctx(tmp_path, doc), "epiloop.E008")]
    assert names == ["discord", "telegram"]
    settings.EPILOOP_ENV["discord_bot_token"] = "test-discord-token"
    settings.EPILOOP_ENV["telegram_bot_token"] = "123:test-telegram-token"
    assert not found(ctx(tmp_path, doc), "epiloop.E008")


def test_e008_counts_config_tokens_refs_and_disabled_channels(tmp_path: Path) -> None:
    doc = minimal(
        channels={
            "discord": {"token": "${DISCORD_TOKEN}"},
            "telegram": {"enabled": False},
        }
    )
    assert not found(ctx(tmp_path, doc, environ={"DISCORD_TOKEN": "x"}), "epiloop.E008")


def test_e008_names_an_unreadable_telegram_token_file(tmp_path: Path) -> None:
    doc = minimal(channels={"telegram": {"tokenFile": str(tmp_path / "missing")}})
    (finding,) = found(ctx(tmp_path, doc), "epiloop.E008")
    assert "channels.telegram.tokenFile: cannot read" in finding.message
    (tmp_path / "missing").write_text("123:test-telegram-token\n")
    assert not found(ctx(tmp_path, doc), "epiloop.E008")


@pytest.mark.parametrize(
    ("channels", "path"),
    [
        ({"discord": {"token": "t", "dmPolicy": "open"}}, "channels.discord.dmPolicy"),
        ({"discord": {"token": "t", "dm": {"policy": "open"}}}, "channels.discord.dm.policy"),
        ({"telegram": {"botToken": "t", "dmPolicy": "open"}}, "channels.telegram.dmPolicy"),
    ],
)
def test_e009_open_dms_need_a_star_in_allow_from(
    tmp_path: Path, channels: dict[str, Any], path: str
) -> None:
    findings = run(ctx(tmp_path, minimal(channels=channels)))
    assert [f.id for f in findings] == ["epiloop.E009"]  # not also an E001 for the same path
    assert findings[0].message.startswith(f'{path} is "open" but allowFrom has no "*"')
    for section in channels.values():
        section["allowFrom"] = ["*"]
    assert not found(ctx(tmp_path, minimal(channels=channels)), "epiloop.E009")


def test_e010_reports_a_bind_that_cannot_be_resolved(tmp_path: Path) -> None:
    doc = minimal(gateway={"mode": "local", "bind": "custom", "auth": {"token": STRONG}})
    (finding,) = found(ctx(tmp_path, doc), "epiloop.E010")
    assert "customBindHost" in finding.message
    doc["gateway"]["customBindHost"] = "127.0.0.1"
    assert not found(ctx(tmp_path, doc), "epiloop.E010")


def test_w001_lists_unknown_keys_by_path_and_keeps_them(
    tmp_path: Path, anthropic_key: None
) -> None:
    doc = minimal(hooks={"internal": True}, session={"dmScope": "per-peer", "idleMinutes": 5})
    context = ctx(tmp_path, doc)
    text = context.config_path.read_text()
    assert [f.message.split(":")[0] for f in found(context, "epiloop.W001")] == [
        "hooks",
        "session.idleMinutes",
    ]
    assert context.config_path.read_text() == text
    assert not found(ctx(tmp_path, minimal()), "epiloop.W001")


def test_w002_passes_on_the_loaders_other_notes(tmp_path: Path, anthropic_key: None) -> None:
    duplicate = '{"gateway": {"mode": "remote", "mode": "local"}}'
    (finding,) = found(ctx(tmp_path, duplicate), "epiloop.W002")
    assert finding.message.startswith("gateway.mode: key written more than once")
    assert not found(ctx(tmp_path, minimal()), "epiloop.W002")


def test_w003_warns_when_strangers_share_the_main_session(
    tmp_path: Path, anthropic_key: None
) -> None:
    open_dms = {"discord": {"token": "t", "dmPolicy": "open", "allowFrom": ["*"]}}
    (finding,) = found(
        ctx(tmp_path, minimal(channels=open_dms, session={"dmScope": "main"})), "epiloop.W003"
    )
    assert "discord DMs are open to anyone" in finding.message
    assert "per-channel-peer" in finding.hint
    default_scope = minimal(channels=open_dms)
    assert not found(ctx(tmp_path, default_scope), "epiloop.W003")
    pairing = {"discord": {"token": "t", "dmPolicy": "pairing"}}
    main_with_pairing = minimal(channels=pairing, session={"dmScope": "main"})
    assert not found(ctx(tmp_path, main_with_pairing), "epiloop.W003")


def test_w005_flags_secret_files_others_can_read(tmp_path: Path, anthropic_key: None) -> None:
    context = ctx(tmp_path, minimal())
    write(tmp_path / "secret_key", "k" * 50, mode=0o644)
    (finding,) = found(context, "epiloop.W005")
    assert finding.message.startswith(f"{tmp_path / 'secret_key'} is open to other users")
    (tmp_path / "secret_key").chmod(0o600)
    assert not found(context, "epiloop.W005")


def test_w005_also_flags_the_database_its_wal_and_config_backups(
    tmp_path: Path, anthropic_key: None
) -> None:
    context = ctx(tmp_path, minimal())
    loose = ["epiloop.json.bak", "epiloop.sqlite3", "epiloop.sqlite3-shm", "epiloop.sqlite3-wal"]
    for name in loose:
        write(tmp_path / name, "", mode=0o644)
    flagged = [f.message.split(" is open")[0] for f in found(context, "epiloop.W005")]
    assert sorted(flagged) == [str(tmp_path / name) for name in loose]


def test_w006_flags_a_state_dir_other_users_can_enter(tmp_path: Path, anthropic_key: None) -> None:
    state = tmp_path / "state"
    state.mkdir()
    state.chmod(0o755)
    context = ctx(tmp_path, minimal(), state_dir=state)
    (finding,) = found(context, "epiloop.W006")
    assert finding.message.startswith(f"state dir {state} is open to other users (mode 0755)")
    assert finding.hint == f"chmod 0700 {state} (or run `doctor --fix`)"
    state.chmod(0o700)
    assert not found(context, "epiloop.W006")


def test_a_good_config_has_no_findings(tmp_path: Path, anthropic_key: None) -> None:
    assert run(ctx(tmp_path, minimal())) == []


# -- the command ---------------------------------------------------------------------------


def doctor(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("doctor", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue()


@pytest.fixture
def state(tmp_path: Path, settings: Any) -> Path:
    settings.EPILOOP_STATE_DIR = tmp_path
    settings.EPILOOP_CONFIG_PATH = tmp_path / "epiloop.json"
    return tmp_path


def test_doctor_prints_one_line_per_finding_and_exits_1_on_errors(state: Path) -> None:
    code, out = doctor()
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("epiloop.E002 error: no config file at ")
    assert " — hint: " in lines[0]
    assert lines[-1] == "doctor: 1 error(s), 0 warning(s)"


def test_doctor_exits_0_with_warnings_only(state: Path, anthropic_key: None) -> None:
    write(state / "epiloop.json", minimal(hooks={}))
    code, out = doctor()
    assert code == 0
    assert out.splitlines()[0].startswith("epiloop.W001 warning: hooks: unknown key")


def test_doctor_says_so_when_all_is_well(state: Path, anthropic_key: None) -> None:
    write(state / "epiloop.json", minimal())
    assert doctor() == (0, "doctor: no problems found\n")


@pytest.mark.django_db
def test_fix_tightens_modes_and_writes_a_strong_token_through_the_config_stack(
    state: Path, anthropic_key: None
) -> None:
    config = write(state / "epiloop.json", minimal(gateway={"mode": "local", "bind": "lan"}), 0o644)
    code, out = doctor()
    assert code == 1 and "epiloop.E005" in out and "epiloop.W005" in out
    code, out = doctor("--fix")
    assert code == 0, out
    token = json.loads(config.read_text())["gateway"]["auth"]["token"]
    assert len(token) >= 32 and token not in out
    assert f"fixed: chmod 0600 {config}" in out
    assert "fixed: wrote a strong gateway.auth.token" in out
    assert out.endswith("doctor: no problems found\n")
    assert config.stat().st_mode & 0o777 == 0o600
    backup = json.loads((state / "epiloop.json.bak").read_text())
    assert backup == minimal(gateway={"mode": "local", "bind": "lan"})  # reversible
    assert json.loads(config.read_text())["gateway"]["bind"] == "lan"


@pytest.mark.django_db
@pytest.mark.skipif(os.geteuid() != 0, reason="only root can hand files to another user")
def test_fix_run_as_root_gives_the_files_back_to_the_state_dirs_owner(
    state: Path, anthropic_key: None
) -> None:
    config = write(state / "epiloop.json", minimal(gateway={"mode": "local", "bind": "lan"}))
    os.chown(state, 1000, 1000)  # the image's unprivileged "epiloop" user owns /data
    os.chown(config, 1000, 1000)
    code, _ = doctor("--fix")
    assert code == 0
    assert (config.stat().st_uid, config.stat().st_gid) == (1000, 1000)
    assert (state / "epiloop.json.bak").stat().st_uid == 1000


@pytest.mark.django_db
def test_fix_leaves_what_it_cannot_safely_fix(state: Path) -> None:
    weak = minimal(gateway={"mode": "local", "bind": "lan", "auth": {"token": "short-token"}})
    config = write(state / "epiloop.json", weak)
    text = config.read_text()
    code, out = doctor("--fix")
    assert code == 1 and "epiloop.E006" in out and "fixed:" not in out
    assert config.read_text() == text and not (state / "epiloop.json.bak").exists()


def test_check_deploy_runs_the_epiloop_checks_but_plain_check_does_not(state: Path) -> None:
    call_command("check", stdout=io.StringIO())  # a missing config must not stop commands
    with pytest.raises(SystemCheckError, match=r"epiloop\.E002"):
        call_command("check", "--deploy", stdout=io.StringIO(), stderr=io.StringIO())


def test_before_the_gateway_ever_ran_profiles_do_not_hide_env_and_config_keys(
    tmp_path: Path,
) -> None:
    """On a fresh state dir no auth profile has a stored secret yet: a key from the
    environment (or the config) still counts for a provider that has auth profiles."""
    profile = {"profiles": {"anthropic:me": {"provider": "anthropic", "mode": "api_key"}}}
    write(tmp_path / "epiloop.json", minimal(auth=profile))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "EPILOOP_STATE_DIR": str(tmp_path),
        "ANTHROPIC_API_KEY": "test-key-anthropic",
    }
    manage = Path(__file__).resolve().parents[2] / "manage.py"
    done = subprocess.run(
        [sys.executable, str(manage), "doctor"], env=env, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout) == (0, "doctor: no problems found\n"), done.stderr


def test_doctor_flags_a_loose_state_dir_and_database_and_fix_tightens_them(
    tmp_path: Path,
) -> None:
    """As an older Epiloop left them: state dir 0755, database (and -wal/-shm) 0644."""
    state = tmp_path / "state"
    assert manage(state, "pairing", "list")[0] == 0  # creates the dir and the database
    state.chmod(0o755)
    for name in ("epiloop.sqlite3", "secret_key"):
        (state / name).chmod(0o644)
    write(state / "epiloop.json", minimal(), mode=0o644)
    loose = ["epiloop.json", "epiloop.sqlite3", "epiloop.sqlite3-shm", "epiloop.sqlite3-wal"]
    loose.append("secret_key")
    env = {"ANTHROPIC_API_KEY": "test-key-anthropic"}
    # An open connection in WAL mode keeps -wal/-shm, made with the database's mode (0644).
    with contextlib.closing(sqlite3.connect(state / "epiloop.sqlite3")) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("SELECT count(*) FROM django_migrations").fetchall()
        code, out, err = manage(state, "doctor", env=env)
        assert (code, err) == (0, "")
        assert f"epiloop.W006 warning: state dir {state} is open to other users (mode 0755)" in out
        for name in loose:
            assert f"epiloop.W005 warning: {state / name} is open to other users (mode 0644)" in out
        code, out, err = manage(state, "doctor", "--fix", env=env)
    assert (code, err) == (0, "")
    assert f"fixed: chmod 0700 {state}\n" in out
    for name in loose:
        assert f"fixed: chmod 0600 {state / name}\n" in out
    assert out.endswith("doctor: no problems found\n")
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    for path in state.glob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
