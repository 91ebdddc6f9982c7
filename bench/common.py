"""What the benchmarks share: the run's temporary directory and its closing line, the child
processes Django runs in (each benchmark's own module, run with `python -m`), and the
PostgreSQL databases made for a run and dropped after it.

Django is set up only in the children, so that a benchmark can point each one at another
database, and a child's memory and time are its own.
"""

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
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
