"""Two key rotations at the same moment: each gets its own key id, neither fails.

Real concurrent connections (a thread each, its own connection), so this runs on
PostgreSQL. SQLite takes the whole database's write lock at the start of each
transaction (IMMEDIATE), which serialises two rotations by construction.
"""

import threading

from django.db import connection

from fangkong.access import services
from fangkong.access.models import SigningKey
from fangkong.testing.locks import POSTGRES_RACE

ROUNDS = 30

pytestmark = POSTGRES_RACE


def _rotate_together() -> list:
    """Two rotations released by one barrier; each thread's key, or what it raised."""
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def rotate(index):
        try:
            barrier.wait(timeout=10)
            results[index] = services.rotate_key()
        except Exception as exc:  # reported by the test below, not lost in the thread
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=rotate, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_rotations_at_once_make_two_keys_with_the_next_two_ids():
    before = SigningKey.objects.count()
    for round_number in range(ROUNDS):
        results = _rotate_together()
        errors = [result for result in results if isinstance(result, Exception)]
        assert errors == [], f"round {round_number}: {errors!r}"
        highest = before + 2 * round_number
        assert sorted(key.kid for key in results) == [highest + 1, highest + 2], (
            f"round {round_number}"
        )
    kids = list(SigningKey.objects.order_by("kid").values_list("kid", flat=True))
    assert kids == list(range(1, before + 2 * ROUNDS + 1))
