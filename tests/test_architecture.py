"""The nevers of ARCHITECTURE.md (docs/architecture.md): each part imports only the floors
below it. Walks every import statement of the project's packages, at module level and
inside functions, and names each offending line."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from channels_app.registry import PLATFORMS

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_PACKAGES = {name: module for name, module in PLATFORMS.items()}
PLATFORM_LIBRARIES = {"discord": ("discord",), "telegram": ("telegram",)}
SDKS = ("anthropic", "openai")


def imports(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
            for alias in node.names:  # `from channels_app import discord`
                yield node.lineno, f"{node.module}.{alias.name}"


def under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def module_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def rules_for(module: str) -> list[tuple[str, str]]:
    """(forbidden package, why) for a module of the project."""
    rules: list[tuple[str, str]] = []
    if under(module, "config"):
        rules += [
            (p, "config imports no other project app")
            for p in ("agents", "channels_app", "gateway")
        ]
    if under(module, "agents.providers"):
        rules += [("agents", "a provider imports nothing else of agents")]
    elif under(module, "agents"):
        rules += [(p, "agents know no channel or gateway") for p in ("channels_app", "gateway")]
    if under(module, "agents"):
        rules += [
            (lib, "agents know no platform") for libs in PLATFORM_LIBRARIES.values() for lib in libs
        ]
    if not under(module, "agents.providers"):
        rules += [(sdk, "only agents/providers/ imports a model SDK") for sdk in SDKS]
    if under(module, "channels_app"):
        rules += [("gateway", "channels never import the gateway")]
    for name, package in PLATFORM_PACKAGES.items():
        inside = under(module, package)
        if not inside:
            libs = PLATFORM_LIBRARIES.get(name, ())
            rules += [(lib, f"only {package} imports {lib}") for lib in libs]
        if under(module, "gateway"):
            rules += [(package, "the gateway reaches a platform through the registry")]
        for other_name, other in PLATFORM_PACKAGES.items():
            if inside and other_name != name:
                rules += [(other, "a platform never imports another platform")]
    return rules


def violations() -> list[str]:
    found: dict[str, str] = {}
    for top in ("config", "agents", "channels_app", "gateway", "epiloop_site"):
        for path in sorted((ROOT / top).rglob("*.py")):
            module = module_of(path)
            rules = rules_for(module)
            for lineno, name in imports(path):
                if under(name, "agents.providers") and under(module, "agents.providers"):
                    continue
                where = f"{path.relative_to(ROOT)}:{lineno}"
                for package, why in rules:
                    if under(name, package) and where not in found:
                        found[where] = f"{where}: imports {name} ({why})"
    return list(found.values())


def test_every_part_imports_only_the_floors_below_it() -> None:
    found = violations()
    assert not found, "\n" + "\n".join(found)


def test_the_walk_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\ndef f():\n    from gateway.lifecycle import x\n")
    assert (4, "gateway.lifecycle") in list(imports(sample))
    assert ("gateway", "agents know no channel or gateway") in rules_for("agents.service")
