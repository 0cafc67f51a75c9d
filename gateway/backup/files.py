"""Which files of a state dir a backup holds, by their names inside the archive."""

from __future__ import annotations

from pathlib import Path

from gateway.backup.manifest import CONFIG_NAME

SECRET_FILES = ("secret_key", "gateway-token")


def workspace_dirs(state_dir: Path) -> list[Path]:
    found = [state_dir / "workspace", *sorted(state_dir.glob("workspace-*"))]
    return [p for p in found if p.is_dir() and not p.is_symlink()]


def state_files(state_dir: Path, config_path: Path) -> dict[str, Path]:
    """Archive name -> current path of every file a backup copies (the database aside).

    The config (and its `.bak*` siblings) is stored as `epiloop.json*` whatever its path, so
    that a restore puts it at the config path of the machine it runs on."""
    found: dict[str, Path] = {}
    if config_path.is_file():
        found[CONFIG_NAME] = config_path
    for bak in sorted(config_path.parent.glob(config_path.name + ".bak*")):
        if bak.is_file():
            found[CONFIG_NAME + bak.name[len(config_path.name) :]] = bak
    for name in SECRET_FILES:
        if (state_dir / name).is_file():
            found[name] = state_dir / name
    for folder in workspace_dirs(state_dir):
        for path in sorted(folder.rglob("*")):
            # Symlinks could point anywhere on the machine: a backup holds the state dir only.
            if path.is_file() and not path.is_symlink():
                found[path.relative_to(state_dir).as_posix()] = path
    return found


def target(name: str, state_dir: Path, config_path: Path) -> Path:
    """Where an archive member goes on restore."""
    if name == CONFIG_NAME or name.startswith(CONFIG_NAME + ".bak"):
        return config_path.with_name(config_path.name + name[len(CONFIG_NAME) :])
    return state_dir / name
