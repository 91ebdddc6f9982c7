"""Row locks seen from another connection, for PostgreSQL lock tests."""

import threading
import time

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import translation

# A race test's module marks: real concurrent connections (a thread each) need PostgreSQL's
# row locks; SQLite's IMMEDIATE transactions serialise every writer by construction.
POSTGRES_RACE = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs real concurrent connections with row locks: run with a PostgreSQL "
        "DATABASE_URL",
    ),
    pytest.mark.django_db(transaction=True),
]


def row_is_locked(model, pk) -> bool:
    """Whether another transaction holds a row lock on `model`'s row `pk`: a second
    connection (a thread of its own) asks for it with NOWAIT and is refused at once if so.
    Call it inside the transaction that should, or should not, hold the lock."""
    answer: dict = {}

    def probe():
        try:
            with transaction.atomic():
                # of=self and no ordering: the probe locks nothing but the row it asks about.
                list(
                    model.objects.select_for_update(nowait=True, of=("self",))
                    .order_by()
                    .filter(pk=pk)
                )
            answer["locked"] = False
        except DatabaseError:
            answer["locked"] = True
        finally:
            connection.close()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join(timeout=30)
    return answer["locked"]


def correct_at_once(monkeypatch, first, second, *, hold: float = 0.1) -> dict:
    """Two corrections of one row, interleaved as two requests meet in production: `first`
    takes the row lock of `core.corrections.supersede` and holds it `hold` seconds while
    `second`, asking for the same lock meanwhile, queues behind it. Each runs in a thread
    of its own (its own connection).

    Returns what each call returned (or raised) under "first" and "second", and under
    "waited" how long the second's lock took to be granted, in seconds."""
    from fangkong.core import corrections

    real_lock = corrections.lock_for_correction
    first_locked = threading.Event()
    second_asking = threading.Event()
    times: dict = {}

    def seam(model, pk, **kwargs):
        if threading.current_thread().name == "first":
            row = real_lock(model, pk, **kwargs)
            first_locked.set()
            # The second is at the lock before the first lets go of it.
            second_asking.wait(timeout=10)
            time.sleep(hold)
            return row
        first_locked.wait(timeout=10)
        second_asking.set()
        times["asked"] = time.perf_counter()
        row = real_lock(model, pk, **kwargs)  # queued until the first commits
        times["granted"] = time.perf_counter()
        return row

    results: dict = {}

    language = translation.get_language()  # the threads speak the test's language

    def run(name, correct):
        try:
            with translation.override(language):
                results[name] = correct()
        except Exception as exc:  # reported by the test, not lost in the thread
            results[name] = exc
        finally:
            connection.close()

    monkeypatch.setattr(corrections, "lock_for_correction", seam)
    try:
        threads = [
            threading.Thread(target=run, args=(name, correct), name=name)
            for name, correct in (("first", first), ("second", second))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        monkeypatch.setattr(corrections, "lock_for_correction", real_lock)
    results["waited"] = times["granted"] - times["asked"] if "granted" in times else None
    return results
