"""The embedded default (SQLite, no Redis) runs the surfaces whose SQL is written by hand for
PostgreSQL: the suite runs on PostgreSQL, so this checks the other database in a process of its own."""
import subprocess
import sys
from pathlib import Path

import pytest

from .embedded import ROOT, embedded_env

pytestmark = pytest.mark.integration


def test_the_reports_the_api_intake_and_the_pages_work_on_the_embedded_default(tmp_path):
    env = {**embedded_env(tmp_path), "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1"}
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("embedded_checks.py"))], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and done.stdout.strip().endswith("OK"), done.stdout[-3000:] + done.stderr[-6000:]
