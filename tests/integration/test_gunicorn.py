"""The production web tier: gunicorn serves the app and its static files on the embedded default."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from .embedded import ROOT, embedded_env

pytestmark = pytest.mark.integration



def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_gunicorn_serves_the_home_page_and_hashed_static_files(tmp_path):
    env = embedded_env(tmp_path)
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=300)
    hashed = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]["admin/css/base.css"]

    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--no-control-socket", "--access-logfile", "-", "config.wsgi:application"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        home = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                home = get(base + "/")[0]
                break
            except OSError:
                time.sleep(0.3)
        assert home == 200, log.read_text(errors="replace")

        status, headers = get(f"{base}/static/{hashed}")
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert "immutable" in headers["Cache-Control"]
        assert get(base + "/static/no/such/file.css")[0] == 404
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            returncode = proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    assert returncode == 0, log.read_text(errors="replace")  # a graceful stop on SIGTERM
    assert "GET / HTTP/1.1\" 200" in log.read_text()
