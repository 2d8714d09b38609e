"""``manage.py deadline``: the clerk's calculator (issue 2 item 8), on reference §8."""
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def deadline(*args):
    out = StringIO()
    call_command("deadline", *args, stdout=out)
    text = out.getvalue().strip()
    assert "\n" not in text
    return json.loads(text)


@pytest.mark.parametrize("args,acceptance,resolution", [
    (["--kind", "complaint", "--received", "2025-01-20"], "2025-02-10", "2025-03-12"),
    (["--kind", "complaint", "--received", "2025-01-20", "--complexity", "complex"], "2025-02-10", "2025-03-27"),
    (["--kind", "complaint", "--received", "2025-08-25", "--round", "2"], "2025-09-10", "2025-10-27"),
    (["--kind", "denunciation", "--received", "2026-02-09"], "2026-02-25", "2026-03-27"),
])
def test_reference_examples(args, acceptance, resolution):
    data = deadline(*args)
    assert data["acceptance_due"] == acceptance
    assert data["resolution_due"] == resolution
    assert data["basis"]


def test_example_c_notice_and_options():
    assert deadline("--kind", "denunciation", "--received", "2026-02-09")["notice_due"] == "2026-03-04"
    # Accepted Mon 2/6/2025, especially complex with 2 extensions: 90 days end Sun 31/8 -> Wed 3/9/2025.
    data = deadline("--kind", "denunciation", "--received", "2025-05-26", "--accepted", "2025-06-02",
                    "--complexity", "especially_complex", "--extensions", "2")
    assert data["resolution_due"] == "2025-09-03"
    # a shorter second extension: 30 + 30 + 10 days from Mon 2/6/2025 end Mon 11/8/2025
    data = deadline("--kind", "denunciation", "--received", "2025-05-26", "--accepted", "2025-06-02",
                    "--complexity", "especially_complex", "--extension-days", "30", "10")
    assert data["resolution_due"] == "2025-08-11"
    # Suspended 10/6 -> 20/6/2025 (10 days): 2/7 + 10 = Sat 12/7 -> Mon 14/7.
    data = deadline("--kind", "denunciation", "--received", "2025-05-26", "--accepted", "2025-06-02",
                    "--suspend", "2025-06-10:2025-06-20")
    assert data["resolution_due"] == "2025-07-14"
    assert deadline("--kind", "denunciation", "--received", "2025-06-02", "--multi-site")["acceptance_due"] == "2025-06-16"
    assert deadline("--kind", "complaint", "--received", "2025-06-02", "--accepted", "2025-06-02",
                    "--remote", "--complexity", "complex")["resolution_due"] == "2025-08-01"
    data = deadline("--kind", "feedback", "--received", "2025-06-02")
    assert data["resolution_due"] is None and data["acceptance_due"] == "2025-06-16"


@pytest.mark.parametrize("args", [
    ["--kind", "complaint", "--received", "2025-06-02", "--extensions", "1"],
    ["--kind", "denunciation", "--received", "2025-06-02", "--complexity", "complex", "--extensions", "2"],
    ["--kind", "complaint", "--received", "2025-06-02", "--accepted", "2025-06-01"],
    ["--kind", "rumour", "--received", "2025-06-02"],
    ["--kind", "complaint", "--received", "2/6/2025"],
    ["--kind", "denunciation", "--received", "2025-06-02", "--suspend", "2025-06-20:2025-06-10"],
])
def test_bad_arguments_raise(args):
    with pytest.raises(CommandError):
        call_command("deadline", *args, stdout=StringIO())


def test_bad_arguments_exit_2_with_one_line(tmp_path):
    """A real process, as a clerk runs it: exit code 2 and one line on stderr."""
    env = {**os.environ, "VAR_DIR": str(tmp_path)}
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        # The test database: migrated, hence seeded, and committed before any test ran.
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        env.pop("DATABASE_URL", None)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    def run(*args):
        return subprocess.run([sys.executable, "manage.py", "deadline", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True)

    for bad in (["--kind", "rumour", "--received", "2025-06-02"],
                ["--kind", "denunciation", "--received", "2025-06-02", "--extensions", "1"]):
        done = run(*bad)
        assert done.returncode == 2, bad
        assert done.stdout == ""
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    ok = run("--kind", "denunciation", "--received", "2026-02-09")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["resolution_due"] == "2026-03-27"
