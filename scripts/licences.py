"""Print the licence of every runtime dependency as a Markdown table (README, "Licence").

The dependencies are those of ``pyproject.toml`` ([project] dependencies, not the
test extra) and everything they pull in, read from the installed packages'
metadata: run it with the project's virtualenv, ``.venv/bin/python scripts/licences.py``.
"""
from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def licence_of(dist: metadata.Distribution) -> str:
    """SPDX expression if declared, else the trove classifiers, else a short License field."""
    meta = dist.metadata
    if meta.get("License-Expression"):
        return meta["License-Expression"]
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    classifiers = [c for c in classifiers if c != "OSI Approved"]
    if classifiers:
        return ", ".join(classifiers)
    text = (meta.get("License") or "").strip()
    return text if text and "\n" not in text and len(text) < 60 else "see its licence file"


def runtime_distributions() -> dict[str, tuple[metadata.Distribution, set[str]]]:
    """Every distribution the runtime requirements reach (markers evaluated, extras followed)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pending = [Requirement(line) for line in project["dependencies"]]
    found: dict[str, tuple[metadata.Distribution, set[str]]] = {}
    while pending:
        requirement = pending.pop()
        key = canonical(requirement.name)
        if key in found:
            dist, extras = found[key]
            if set(requirement.extras) <= extras:
                continue
            extras |= set(requirement.extras)  # seen before, now with more extras: follow those too
        else:
            try:
                dist = metadata.distribution(requirement.name)
            except metadata.PackageNotFoundError:
                print(f"warning: {requirement.name} is not installed", file=sys.stderr)
                continue
            extras = set(requirement.extras)
            found[key] = (dist, extras)
        for line in dist.requires or []:
            child = Requirement(line)
            if child.marker is None or any(child.marker.evaluate({"extra": extra}) for extra in extras | {""}):
                pending.append(child)
    return found


def main() -> None:
    rows = sorted(runtime_distributions().values(), key=lambda item: canonical(item[0].metadata["Name"]))
    print("| package | version | licence |")
    print("|---|---|---|")
    for dist, _extras in rows:
        print(f"| {dist.metadata['Name']} | {dist.version} | {licence_of(dist)} |")


if __name__ == "__main__":
    main()
