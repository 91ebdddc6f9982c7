"""Opt-in (BENCH_CHECKIN_TIMING=1): where a request's time goes inside the server.

Outermost middleware: it times the whole of Django's handling of a request (wall and this
worker process's CPU), the SQL statements run through Django's cursors (their count, their
time, and the time of SQLite's `BEGIN IMMEDIATE`, which is where a writer waits for the
write lock) and puts them in an `X-Bench-Timing` header for the bench's clients. Not in a
plain run: the figures the targets are judged on come from Fangkong's own middleware.
Opening the database connection happens inside the request (at its first query) and is
counted; closing it happens after the response (request_finished) and is not.
"""

import time

from django.db import connection

HEADER = "X-Bench-Timing"
FIELDS = ("server_ms", "cpu_ms", "sql_ms", "begin_ms", "commit_ms", "queries")


class TimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        totals = {"sql": 0.0, "begin": 0.0, "commit": 0.0, "queries": 0}

        def timed(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent = time.perf_counter() - started
                totals["sql"] += spent
                totals["queries"] += 1
                if sql.startswith("BEGIN"):
                    totals["begin"] += spent

        # COMMIT is no cursor statement in Django: time the connection's commit itself.
        commit = connection.commit

        def timed_commit():
            started = time.perf_counter()
            try:
                return commit()
            finally:
                totals["commit"] += time.perf_counter() - started

        started, cpu = time.perf_counter(), time.process_time()
        connection.commit = timed_commit
        try:
            with connection.execute_wrapper(timed):
                response = self.get_response(request)
        finally:
            del connection.commit
        values = (
            (time.perf_counter() - started) * 1000,
            (time.process_time() - cpu) * 1000,
            totals["sql"] * 1000,
            totals["begin"] * 1000,
            totals["commit"] * 1000,
        )
        response[HEADER] = ",".join(f"{value:.3f}" for value in values) + f",{totals['queries']}"
        return response
