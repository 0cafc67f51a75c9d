"""Static checks of the Fly.io deployment files: the settings our guide (docs/fly.md) relies on.

The image itself is built and run by ../shared/tools/container-check/build_and_run.sh (it
needs root and podman, so it is not part of this suite); these tests keep the files honest.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
GATEWAY_COMMAND = "python manage.py rungateway --allow-unconfigured --port 3000 --bind lan"


@pytest.fixture(scope="module")
def fly() -> dict[str, Any]:
    with (ROOT / "fly.toml").open("rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    joined = re.sub(r"\\\n", " ", text)
    instructions = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        instructions.append((word.upper(), rest.strip()))
    return instructions


def _args(instructions: list[tuple[str, str]], name: str) -> list[str]:
    return [rest for word, rest in instructions if word == name]


def _memory_mb(value: str | int) -> int:
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"(\d+)\s*(mb|gb)", value.strip().lower())
    assert match, f"unreadable memory size {value!r}"
    return int(match[1]) * (1024 if match[2] == "gb" else 1)


def test_fly_keeps_all_state_on_the_epiloop_data_volume(fly: dict[str, Any]) -> None:
    assert fly["env"]["EPILOOP_STATE_DIR"] == "/data"
    mounts = fly["mounts"] if isinstance(fly["mounts"], list) else [fly["mounts"]]
    assert {"source": "epiloop_data", "destination": "/data"}.items() <= mounts[0].items()


def test_fly_runs_the_gateway_on_port_3000_bound_to_lan(fly: dict[str, Any]) -> None:
    assert fly["processes"] == {"app": GATEWAY_COMMAND}
    service = fly["http_service"]
    assert service["internal_port"] == 3000
    assert service["processes"] == ["app"]


def test_fly_keeps_one_machine_always_running_behind_https(fly: dict[str, Any]) -> None:
    service = fly["http_service"]
    assert service["force_https"] is True
    # A gateway holds chat connections: Fly must never stop it for being idle.
    assert service["auto_stop_machines"] in (False, "off")
    assert service["min_machines_running"] >= 1


def test_fly_checks_the_healthz_endpoint_over_http(fly: dict[str, Any]) -> None:
    checks = fly["http_service"]["checks"]
    assert any(c["path"] == "/healthz" and c.get("method", "GET").upper() == "GET" for c in checks)
    for check in checks:
        assert "grace_period" in check, "without a grace period the first boot can fail its check"


def test_fly_machine_has_room_for_the_gateway_footprint(fly: dict[str, Any]) -> None:
    vm = fly["vm"][0]
    assert vm["size"].startswith("shared-cpu-")
    assert _memory_mb(vm["memory"]) >= 512


def test_fly_stops_the_gateway_with_a_signal_it_handles_gracefully(fly: dict[str, Any]) -> None:
    assert fly.get("kill_signal", "SIGINT") in ("SIGINT", "SIGTERM")
    assert int(str(fly.get("kill_timeout", 5)).rstrip("s")) >= 5


def test_image_is_python_311_slim_and_serves_on_3000(dockerfile: list[tuple[str, str]]) -> None:
    assert _args(dockerfile, "FROM") == ["python:3.11-slim"]
    assert _args(dockerfile, "EXPOSE") == ["3000"]


def test_image_runs_the_same_command_as_fly(
    dockerfile: list[tuple[str, str]], fly: dict[str, Any]
) -> None:
    (cmd,) = _args(dockerfile, "CMD")
    assert json.loads(cmd) == shlex.split(fly["processes"]["app"])


def test_image_keeps_its_state_in_data(dockerfile: list[tuple[str, str]]) -> None:
    env = " ".join(_args(dockerfile, "ENV"))
    assert re.search(r"\bEPILOOP_STATE_DIR=/data\b", env)


def test_image_installs_only_the_pinned_runtime_requirements(
    dockerfile: list[tuple[str, str]],
) -> None:
    runs = " ".join(_args(dockerfile, "RUN"))
    assert "pip install" in runs and "-r requirements.txt" in runs
    assert "requirements-dev" not in runs
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            assert "==" in line, f"requirements.txt: {line} is not pinned"


def test_image_leaves_no_build_tools_behind(dockerfile: list[tuple[str, str]]) -> None:
    runs = " ".join(_args(dockerfile, "RUN"))
    for tool in ("build-essential", "gcc", "curl", "wget"):
        assert tool not in runs


def test_image_collects_static_files_with_a_throwaway_state_dir(
    dockerfile: list[tuple[str, str]],
) -> None:
    (collect,) = [r for r in _args(dockerfile, "RUN") if "collectstatic" in r]
    pattern = r"EPILOOP_STATE_DIR=/tmp/\S+ python manage.py collectstatic --noinput"
    assert re.search(pattern, collect)
    assert "rm -rf /tmp/" in collect


def test_image_healthcheck_probes_healthz_with_python_not_curl(
    dockerfile: list[tuple[str, str]],
) -> None:
    (check,) = _args(dockerfile, "HEALTHCHECK")
    assert "CMD" in check and '"python"' in check
    assert "http://127.0.0.1:3000/healthz" in check
    assert "curl" not in check and "wget" not in check


def test_image_drops_root_before_running_the_gateway(dockerfile: list[tuple[str, str]]) -> None:
    users = _args(dockerfile, "USER")
    (entrypoint,) = _args(dockerfile, "ENTRYPOINT")
    script = ROOT / json.loads(entrypoint)[0].removeprefix("/app/")
    text = script.read_text()
    assert os.access(script, os.X_OK)
    assert (users and users[-1] not in ("root", "0")) or "exec setpriv --reuid=" in text
    assert "chown -h" in text, "the volume must be handed over without following symlinks"
    syntax = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True)
    assert syntax.returncode == 0, syntax.stderr


def test_dockerfile_uses_only_what_buildah_and_buildkit_both_accept(
    dockerfile: list[tuple[str, str]],
) -> None:
    for word, rest in dockerfile:
        assert not (word in ("COPY", "ADD") and "--link" in rest), "COPY --link fails on buildah"
        assert not (word == "RUN" and "<<" in rest), "RUN heredocs fail on buildah"


def test_build_context_leaves_out_local_state_and_secrets() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", "*.sqlite3", ".env", "staticfiles"):
        assert entry in ignored


def test_fly_guide_covers_every_step_of_the_deployment() -> None:
    guide = (ROOT / "docs" / "fly.md").read_text()
    for step in (
        "fly apps create",
        "fly volumes create epiloop_data",
        "fly secrets set",
        "EPILOOP_GATEWAY_TOKEN",
        "ANTHROPIC_API_KEY",
        "DISCORD_BOT_TOKEN",
        "fly deploy",
        "fly ssh console",
        "/data/epiloop.json",
        "/admin/",
        "fly logs",
        "[gateway] listening on ws://0.0.0.0:3000",
        "[discord] logged in to discord as",
        "Refusing to bind gateway to lan without auth.",
        "gateway already running (pid",
        ".epiloop/epiloop.json",
        "/readyz",
    ):
        assert step in guide, f"docs/fly.md does not mention {step!r}"


def test_fly_guide_example_config_is_valid_json_with_the_discord_allowlist() -> None:
    guide = (ROOT / "docs" / "fly.md").read_text()
    blocks = re.findall(r"```json\n(.*?)```", guide, re.S)
    docs = [json.loads(block) for block in blocks]
    example = next(d for d in docs if "channels" in d)
    assert example["agents"]["defaults"]["model"]["primary"] == "anthropic/claude-opus-4-5"
    assert example["channels"]["discord"]["groupPolicy"] == "allowlist"
    assert example["gateway"] == {"mode": "local", "bind": "auto"}


def test_fly_guide_example_config_passes_the_epiloop_schema() -> None:
    from config.schema import EpiloopConfig

    guide = (ROOT / "docs" / "fly.md").read_text()
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", guide, re.S)]
    for doc in blocks:
        EpiloopConfig.model_validate(doc)
