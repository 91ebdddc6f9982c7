"""What the benchmarks share: the run's temporary directory and its closing line, the child
processes Django runs in (each benchmark's own module, run with `python -m`), the
PostgreSQL databases made for a run and dropped after it, and for the HTTP benchmarks the
gunicorn server and the client threads that drive it.

Django is set up only in the children, so that a benchmark can point each one at another
database, and a child's memory and time are its own.
"""

import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
SECRET_KEY = secrets.token_urlsafe(50)  # the children's; nothing they sign outlives the run


@contextlib.contextmanager
def run_directory(prefix: str):
    """A temporary directory for the run, removed after it; then how long the run took."""
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield workdir
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"(the benchmark took {time.perf_counter() - started:.0f} s)")


def child_env(var_dir: Path, database_url: str, **variables: str) -> dict:
    """A child's environment: Fangkong's settings on `database_url`, debug off, this tree
    importable; `variables` add to it or replace (DJANGO_SETTINGS_MODULE, LOG_LEVEL, …)."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "fangkong.settings",
            "FANGKONG_VAR_DIR": str(var_dir),
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET_KEY,
            "DEBUG": "false",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
            **variables,
        }
    )
    return env


def server_env(workdir: Path, database_url: str, *, time_zone: str, timing: bool) -> dict:
    """The environment of an HTTP benchmark's children and server: the bench site (Fangkong
    plus the bare baseline view) on `database_url`, warnings only, and with `timing` the
    server's per-request timing header (bench/benchsite/timing.py)."""
    extra = {"BENCH_CHECKIN_TIMING": "1"} if timing else {}
    return child_env(
        workdir / "var",
        database_url,
        DJANGO_SETTINGS_MODULE=BENCH_SETTINGS,
        TIME_ZONE=time_zone,
        LOG_LEVEL="WARNING",
        **extra,
    )


def run_child(module: str, args: list[str], env: dict) -> dict:
    """Run `python -m module args…` and return the JSON of its last line of output; stop the
    benchmark, with the child's output, if it fails."""
    completed = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"bench child {args[0]} failed ({completed.returncode})")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def setup_django() -> None:
    """In a child: Django set up with the settings its environment names."""
    import django

    django.setup()


def _postgres_admin():
    import psycopg

    return psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True, connect_timeout=3)


@contextlib.contextmanager
def postgres_database(name: str):
    """A database `name` made for the run on POSTGRES_SERVER and dropped after it: its URL,
    or None (and a notice) when the server does not answer."""
    import psycopg

    try:
        with _postgres_admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        why = (str(exc).strip() or type(exc).__name__).splitlines()[0]
        print(f"PostgreSQL: skipped, the server at {POSTGRES_SERVER} does not answer ({why})")
        yield None
        return
    try:
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        with _postgres_admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---- HTTP benchmarks: a gunicorn server and concurrent clients ---------------------------
#
# bench.checkin_http and bench.supplies_http serve Fangkong (bench.benchsite.settings: the
# bare one-INSERT view in front of Fangkong's URLs) with gunicorn and drive it with client
# threads in the parent process. Each request's latency is kept, from sending to the last
# byte of the answer; an answer other than 2xx, or an exception, is an error, unless its
# status is one of the round's expected refusals (a 422 "not enough stock").

BENCH_SETTINGS = "bench.benchsite.settings"
TIMING_HEADER = "X-Bench-Timing"  # see bench/benchsite/timing.py (BENCH_CHECKIN_TIMING=1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving `app` with `env`'s settings on a free local port: `workers` sync
    workers, or gthread workers when `threads` is more than 1."""

    def __init__(self, env: dict, log: Path, *, app: str, workers: int, threads: int = 1):
        self.env, self.log = env, log
        self.app, self.workers, self.threads = app, workers, threads
        self.port = free_port()
        self.process = None
        self.handle = None

    def start(self) -> None:
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            self.app,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--log-level",
            "warning",
            "--graceful-timeout",
            "5",
        ]
        if self.threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(self.threads)]
        self.handle = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.handle, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.fail(f"gunicorn exited ({self.process.returncode})")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/health")
                if connection.getresponse().status == 200:
                    connection.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.fail("gunicorn did not answer /health within 60 s")

    def fail(self, message: str) -> None:
        self.stop()
        sys.stderr.write(self.log.read_text(errors="replace")[-4000:])
        raise SystemExit(message)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.handle is not None:
            self.handle.close()
            self.handle = None


class Round:
    """One timed run of `clients` threads, all started together and stopped at a deadline:
    `requests(client)` gives each client's next (path, body) to POST, None when it has no
    more; `headers_of(client)` its headers. Statuses in `refusals` are counted as refused,
    not as errors."""

    def __init__(
        self, port: int, requests, headers_of, seconds: float, *, clients: int, refusals=()
    ):
        self.port, self.requests, self.headers_of = port, requests, headers_of
        self.seconds, self.clients, self.refusals = seconds, clients, frozenset(refusals)
        self.latencies: list[float] = []
        self.ok = 0
        self.refused: Counter = Counter()
        self.errors: Counter = Counter()
        self.samples: list[str] = []
        self.refusal_samples: list[str] = []
        self.timings: list[tuple[float, ...]] = []  # (latency, X-Bench-Timing's fields)
        self.exhausted = 0
        self.lock = threading.Lock()
        self.barrier = threading.Barrier(clients + 1)
        self.ends: list[float] = []

    def run(self) -> "Round":
        threads = [
            threading.Thread(target=self.client, args=(number,), daemon=True)
            for number in range(self.clients)
        ]
        for thread in threads:
            thread.start()
        self.barrier.wait()
        self.started = time.perf_counter()
        for thread in threads:
            thread.join()
        self.elapsed = max(self.ends, default=self.started) - self.started
        return self

    def client(self, number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = self.headers_of(number)
        latencies, ok, refused, errors, timings = [], 0, Counter(), Counter(), []
        samples, refusal_samples = [], []
        self.barrier.wait()
        deadline = time.perf_counter() + self.seconds
        end = time.perf_counter()
        exhausted = 0
        while time.perf_counter() < deadline:
            request = self.requests(number)
            if request is None:
                exhausted = 1
                break
            path, body = request
            sent = time.perf_counter()
            try:
                connection.request("POST", path, body, headers)
                response = connection.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors[type(exc).__name__] += 1
                connection.close()
                end = time.perf_counter()
                continue
            end = time.perf_counter()
            latencies.append(end - sent)
            timing = response.getheader(TIMING_HEADER)
            if timing:
                timings.append((end - sent, *map(float, timing.split(","))))
            if 200 <= response.status < 300:
                ok += 1
            elif response.status in self.refusals:
                refused[f"HTTP {response.status}"] += 1
                if len(refusal_samples) < 2:
                    refusal_samples.append(f"HTTP {response.status}: {answer[:200].decode()}")
            else:
                errors[f"HTTP {response.status}"] += 1
                if len(samples) < 3:
                    samples.append(f"HTTP {response.status}: {answer[:300]!r}")
        connection.close()
        with self.lock:
            self.latencies.extend(latencies)
            self.ok += ok
            self.refused.update(refused)
            self.errors.update(errors)
            self.samples.extend(samples)
            self.refusal_samples.extend(refusal_samples)
            self.timings.extend(timings)
            self.exhausted += exhausted
            self.ends.append(end)


class Side:
    """Every measured round of one endpoint, taken together."""

    def __init__(self, label: str):
        self.label = label
        self.rounds: list[Round] = []

    @property
    def latencies(self) -> list[float]:
        return [value for one in self.rounds for value in one.latencies]

    @property
    def ok(self) -> int:
        return sum(one.ok for one in self.rounds)

    @property
    def refused(self) -> int:
        return sum(sum(one.refused.values()) for one in self.rounds)

    @property
    def errors(self) -> Counter:
        total = Counter()
        for one in self.rounds:
            total.update(one.errors)
        return total

    @property
    def rps(self) -> float:
        """2xx answers a second."""
        return self.ok / sum(one.elapsed for one in self.rounds)

    def round_rps(self) -> list[float]:
        return [one.ok / one.elapsed for one in self.rounds]

    def percentile(self, fraction: float) -> float:
        values = sorted(self.latencies)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(fraction * len(values)))]


def report_timing(sides: list[Side], knob: str = "BENCH_CHECKIN_TIMING=1") -> None:
    """Means (and p99) of what the servers' X-Bench-Timing headers said, per request."""
    print(f"  Inside the server ({knob}: an extra middleware; mean, p99 in ms)")
    names = [
        ("latency seen by the client", 0),
        ("in Django (wall)", 1),
        ("  of which this worker's CPU", 2),
        ("  in SQL statements", 3),
        ("    of which BEGIN (SQLite: waiting for the write lock)", 4),
        ("  in COMMIT", 5),
        ("outside Django: gunicorn's queue, HTTP, DB close", None),
    ]
    rows = {side.label: [t for one in side.rounds for t in one.timings] for side in sides}
    print(f"    {'':56}" + "".join(f"{side.label[:17]:>18}" for side in sides))
    for name, index in names:
        cells = []
        for side in sides:
            timings = rows[side.label]
            if not timings:
                cells.append(f"{'-':>18}")
                continue
            if index is None:
                values = [t[0] * 1000 - t[1] for t in timings]
            elif index == 0:
                values = [t[0] * 1000 for t in timings]
            else:
                values = [t[index] for t in timings]
            values.sort()
            p99 = values[min(len(values) - 1, int(0.99 * len(values)))]
            cells.append(f"{statistics.fmean(values):>9.2f}{p99:>9.1f}")
        print(f"    {name:<56}{''.join(cells)}")
    counts = [
        f"{statistics.fmean(t[6] for t in rows[side.label]):>9.1f}{'':9}"
        if rows[side.label]
        else f"{'-':>18}"
        for side in sides
    ]
    print(f"    {'SQL statements per request':<56}{''.join(counts)}")


def each_database(prefix: str, databases: list[str], postgres_db: str, run_database) -> None:
    """`run_database(label, url, workdir)` on a fresh SQLite file and on a PostgreSQL
    database made for the run, those of them `databases` names, in one run directory."""
    with run_directory(prefix) as workdir:
        if "sqlite" in databases:
            run_database("SQLite", f"sqlite:///{workdir / 'bench.sqlite3'}", workdir)
        if "postgresql" in databases:
            with postgres_database(postgres_db) as postgres_url:
                if postgres_url is not None:
                    run_database("PostgreSQL", postgres_url, workdir)


def json_headers(tokens: list[str]) -> list[dict]:
    """Each client's headers: JSON, and its own bearer token."""
    return [
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"} for token in tokens
    ]


BARE_PATH = "/bench/insert"  # bench/benchsite/urls.py: the bare one-INSERT view
BARE_HEADERS = {"Content-Type": "application/json"}


class BareInserts:
    """The bare view's requests: each client's bodies numbered in turn, so no two match."""

    def __init__(self, clients: int):
        self.numbers = [0] * clients

    def __call__(self, client: int) -> tuple[str, bytes]:
        self.numbers[client] += 1
        return BARE_PATH, json.dumps({"client": client, "n": self.numbers[client]}).encode()


def report_errors(sides: list[Side], warmup_errors: int) -> None:
    """Each side's errors with a few of their answers, and the warm-up's count."""
    for side in sides:
        if side.errors:
            print(f"    {side.label}: {dict(side.errors)}")
            for sample in {s for one in side.rounds for s in one.samples[:2]}:
                print(f"      {sample}")
    if warmup_errors:
        print(f"    (and {warmup_errors} errors in the unmeasured warm-up)")


# ---- the children's side: a command a child runs, and page timings ------------------------


def child_command(args: list[str], commands: dict) -> None:
    """In a child: run `commands[args[0]]` with the rest of `args` and print what it returns
    as JSON, the last line of output that `run_child` reads."""
    command = args[0]
    if command not in commands:
        raise SystemExit(f"unknown bench child command {command!r}")
    result = commands[command](*args[1:])
    print(json.dumps(result, ensure_ascii=False, default=str))


def migrate_with_bare_table() -> None:
    """In an HTTP benchmark's set-up child: migrate, and make the bare view's table."""
    from django.core.management import call_command
    from django.db import connection

    from bench.benchsite.urls import create_table_sql

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute(create_table_sql(connection.vendor))


def bare_insert_queries(client) -> int:
    """The queries of one bare insert through the test client `client`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as bare:
        response = client.post(BARE_PATH, "{}", content_type="application/json")
    if response.status_code != 200:
        raise SystemExit(f"the set-up bare insert failed: {response.status_code}")
    return len(bare.captured_queries)


def close_after_setup() -> None:
    """The set-up child's connection closed, SQLite's write-ahead log first folded into
    the database file."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def plain_static_files():
    """An override (enable it, disable it after) to the plain static files storage: a bench
    run has no collectstatic manifest, as the test suite has none."""
    from django.conf import settings
    from django.test import override_settings

    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    return override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static})


def timed(function, *args) -> float:
    clock = time.perf_counter()
    function(*args)
    return time.perf_counter() - clock


def time_in_turn(times: dict, turn: int, baseline, page) -> None:
    """One run of the baseline and one of the page, timed into `times["baseline"]` and
    `times["page"]`; the baseline first on even turns, so a busy spell falls on both."""
    order = [("baseline", baseline), ("page", page)]
    if turn % 2:
        order.reverse()
    for side, function in order:
        times[side].append(timed(function))


def query_count(function, *args) -> int:
    """How many queries `function(*args)` makes on the default connection."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        function(*args)
    return len(queries)
