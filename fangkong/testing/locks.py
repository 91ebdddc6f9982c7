"""Row locks seen from another connection, for PostgreSQL lock tests."""

import threading

from django.db import DatabaseError, connection, transaction


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
