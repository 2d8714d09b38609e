#!/usr/bin/env python
"""Benchmark of the API's intake under gunicorn on PostgreSQL against a bare DRF view (not a test).

    python bench/api_intake.py [--requests 400] [--clients 8] [--workers 2] \
        [--database-url postgres://postgres@127.0.0.1:5432/test_bench_api] [--redis-url redis://127.0.0.1:6379/11]

Migrates the database (created if missing; cases are added, nothing is wiped), makes a commune, a
reception clerk and his API token, then starts gunicorn (sync workers) with bench/bench_settings and,
in the same run, has C concurrent clients POST over HTTP with the token:

  intake    POST /api/v1/cases/ — a complaint with one petitioner (each its own person), through
            cases.services.case_intake, its workflow process started, with an Idempotency-Key;
  baseline  POST /bench/bare-insert/ — a DRF view with the same token auth that inserts one row.

Prints throughput (requests/s over the wall time) and p50/p95 latency for both, and the ratio; and
on Linux the CPU time per request of the gunicorn workers, the database's backends (PostgreSQL on
the same host) and the client, steadier than throughput on a shared machine.
Target (issue 10): intake throughput ≥ 1/3 of the bare view's.
"""
import argparse
import concurrent.futures
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sla_sweep import ensure_database, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test_bench_api"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare() -> tuple[str, int]:
    """The clerk's token and his commune's id; the bare view's table."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from organisation.models import Membership, Role, Unit, UnitLevel

    province, _ = Unit.objects.get_or_create(code="bench-api-tinh", defaults={"name": "Tỉnh bench",
                                                                              "level": UnitLevel.PROVINCE})
    commune, _ = Unit.objects.get_or_create(code="bench-api-xa", defaults={"name": "Xã bench", "parent": province,
                                                                          "level": UnitLevel.COMMUNE})
    clerk, _ = get_user_model().objects.get_or_create(username="bench-api-clerk")
    Membership.objects.get_or_create(user=clerk, unit=commune, role=Role.RECEPTION)
    token, _ = Token.objects.get_or_create(user=clerk)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_bare_row (id bigserial PRIMARY KEY, body text, "
                       "created_at timestamptz NOT NULL)")
    return token.key, commune.pk


def start_gunicorn(port: int, workers: int, env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/units/", timeout=2)
        except urllib.error.HTTPError:
            return server  # 401: it answers
        except OSError:
            time.sleep(0.3)
            continue
        return server
    server.terminate()
    raise SystemExit("gunicorn did not start")


def post(url: str, token: str, body: dict, headers: dict | None = None) -> float:
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Authorization": f"Token {token}", "Content-Type": "application/json", **(headers or {})})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        if response.status != 201:
            raise RuntimeError(f"{url}: {response.status}")
    return time.perf_counter() - start


def intake_body(unit: int, n: int) -> dict:
    return {
        "kind": "complaint", "receiving_unit": unit, "competent_unit": unit,
        "content": f"Khiếu nại quyết định số {n}/QĐ-UBND về thu hồi đất.", "respondent_number": f"{n}/QĐ-UBND",
        "petitioners": [{"full_name": f"Người khiếu nại {secrets.token_hex(4)}",
                         "id_number": f"0010{secrets.randbelow(10**8):08d}", "phone": ""}],
    }


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (Linux /proc); 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_probe(server: subprocess.Popen) -> dict:
    """CPU seconds so far of the gunicorn workers, the database's backends (same host) and this client."""
    from django.db import connection

    workers = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == server.pid:
                        workers.append(int(entry))
            except OSError:
                continue
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        backends = [row[0] for row in cursor.fetchall()]
    own = os.times()
    return {"gunicorn": sum(map(_cpu_seconds, [server.pid, *workers])),
            "postgres": {pid: _cpu_seconds(pid) for pid in backends}, "client": own.user + own.system}


def cpu_per_request(before: dict, after: dict, requests: int) -> dict:
    """Milliseconds of CPU per request in each part (backends that were there at both probes)."""
    postgres = sum(after["postgres"][pid] - before["postgres"].get(pid, after["postgres"][pid])
                   for pid in after["postgres"])
    parts = {"gunicorn": after["gunicorn"] - before["gunicorn"], "postgres": postgres,
             "client": after["client"] - before["client"]}
    return {name: seconds * 1000 / requests for name, seconds in parts.items()}


def load(url: str, token: str, requests: int, clients: int, make_body, headers_for=None, probe=None) -> dict:
    def one(n: int) -> float:
        return post(url, token, make_body(n), headers_for(n) if headers_for else None)

    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(clients * 2)))  # warm-up: every worker has connected and imported
        before = probe() if probe else None
        start = time.perf_counter()
        latencies = list(pool.map(one, range(clients * 2, clients * 2 + requests)))
        wall = time.perf_counter() - start
        after = probe() if probe else None
    latencies.sort()
    return {"throughput": requests / wall, "p50": statistics.median(latencies),
            "p95": latencies[int(0.95 * (len(latencies) - 1))], "wall": wall,
            "cpu": cpu_per_request(before, after, requests) if probe else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"))
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    ensure_database(args.database_url)
    os.environ["REDIS_URL"] = args.redis_url
    setup_django(args.database_url)
    token, unit = prepare()
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench_settings", "DATABASE_URL": args.database_url,
           "REDIS_URL": args.redis_url, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench")])}
    # gunicorn runs with DEBUG off, which refuses development keys: throw-away ones unless given
    for name in ("SECRET_KEY", "PIN_KEY"):
        env.setdefault(name, secrets.token_urlsafe(50))
    server = start_gunicorn(port, args.workers, env)
    base = f"http://127.0.0.1:{port}"
    run = secrets.token_hex(4)
    try:
        probe = (lambda: cpu_probe(server)) if os.path.exists("/proc/self/stat") else None
        bare = load(f"{base}/bench/bare-insert/", token, args.requests, args.clients, lambda n: {"n": n},
                    probe=probe)
        intake = load(f"{base}/api/v1/cases/", token, args.requests, args.clients, lambda n: intake_body(unit, n),
                      headers_for=lambda n: {"Idempotency-Key": f"bench-{run}-{n}"}, probe=probe)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{args.requests} requests, {args.clients} clients, gunicorn {args.workers} sync workers")
    for name, result in (("bare insert", bare), ("API intake", intake)):
        print(f"{name:12} {result['throughput']:8.1f} req/s   p50 {result['p50'] * 1000:7.1f} ms   "
              f"p95 {result['p95'] * 1000:7.1f} ms")
    for name, result in (("bare insert", bare), ("API intake", intake)):
        if result["cpu"]:
            cpu = result["cpu"]
            print(f"{name:12} CPU per request {sum(cpu.values()):6.2f} ms: gunicorn {cpu['gunicorn']:.2f}, "
                  f"PostgreSQL {cpu['postgres']:.2f}, client {cpu['client']:.2f}")
    ratio = intake["throughput"] / bare["throughput"]
    print(f"intake / bare throughput: {ratio:.2f} (target ≥ 0.33: {'met' if ratio >= 1 / 3 else 'NOT met'})")


if __name__ == "__main__":
    main()
