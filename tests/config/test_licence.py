"""The project's licence agrees with what it links (issue 5, Licence): AGPL-3.0-or-later like django-viewflow,
the full text in LICENSE, and the README lists every runtime dependency's licence."""
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_project_is_agpl_like_django_viewflow():
    viewflow = metadata.distribution("django-viewflow").metadata
    assert "GNU Affero General Public License v3 or later (AGPLv3+)" in " ".join(viewflow.get_all("Classifier"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "AGPL-3.0-or-later"
    assert project["license-files"] == ["LICENSE"]


def test_license_file_holds_the_full_agpl_3_text():
    text = (ROOT / "LICENSE").read_text()
    assert text.lstrip().startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
    assert "Version 3, 19 November 2007" in text
    for section in ("0. Definitions.", "13. Remote Network Interaction; Use with the GNU General Public License.",
                    "17. Interpretation of Sections 15 and 16.", "END OF TERMS AND CONDITIONS"):
        assert section in text
    assert len(text.splitlines()) == 661


def test_readme_lists_the_licence_of_every_runtime_dependency():
    table = subprocess.run([sys.executable, str(ROOT / "scripts" / "licences.py")], capture_output=True, text=True,
                           check=True, timeout=60).stdout
    rows = [line.split("|")[1:-1] for line in table.splitlines()[2:]]
    names = {name.strip().lower() for name, _version, _licence in rows}
    assert {"django", "django-viewflow", "celery", "psycopg", "django-axes"} <= names
    readme = (ROOT / "README.md").read_text()
    licence_section = readme[readme.index("## Licence"):]
    listed = {line.split("|")[1].strip(): line.split("|")[3].strip()
              for line in licence_section.splitlines() if line.startswith("| ") and line.count("|") == 4}
    for name, _version, licence in rows:
        assert listed.get(name.strip()) == licence.strip(), f"README: rerun scripts/licences.py ({name.strip()})"
