"""Corrections that supersede (更正): one way for every ledger whose mistakes are corrected
by a new row taking the place of the earlier one (check-ins, isolation checks, follow-ups).

The caller decides first, outside the write transaction: permission, the reason, whatever
it can check of the new values. `supersede` then holds the transaction only for what must
agree: it locks the row being corrected, refuses it if a correction already took its place,
builds the correction from the locked row, stamps the earlier row and saves the new one.

Two corrections of the same row at once: the second waits for the first one's lock (a row
lock on PostgreSQL, the database's write lock on SQLite), then finds the row corrected and
is refused with the caller's error, instead of making two current versions.
"""

import datetime
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.utils import timezone

from fangkong.core.models import StampedSuperseding, Superseding
from fangkong.core.transactions import service_atomic

T = TypeVar("T", bound=Superseding)


def lock_for_correction(model: type[Superseding], pk: int, *, related: tuple[str, ...] = ()):
    """Row `pk` of `model`, locked to the end of the transaction (with `related` joined for
    reading). Only that row: `of=self` leaves the joined rows free for other writers, and no
    ordering joins anything else into the lock."""
    rows = model._default_manager.select_for_update(of=("self",)).order_by()
    if related:
        rows = rows.select_related(*related)
    return rows.get(pk=pk)


def is_corrected(row: Superseding) -> bool:
    """Whether a correction already took `row`'s place: its stamp, or (for a ledger that
    keeps none) a row that supersedes it. Ask it of a locked row."""
    if isinstance(row, StampedSuperseding):
        return row.superseded_at is not None
    return type(row)._default_manager.filter(supersedes=row).exists()


def supersede(
    model: type[T],
    pk: int,
    *,
    actor,
    reason: str,
    refused: ValidationError,
    build: Callable[[T, datetime.datetime], T],
    save: Callable[[T], object],
    related: tuple[str, ...] = (),
) -> T:
    """Correct row `pk` of `model` and return the correction, saved.

    `build(earlier, now)` makes the unsaved correction from the locked earlier row (and may
    raise the field errors); `supersede` sets what it corrects and why. `save(correction)`
    writes it, turning a clash the database finds into a field error. `refused` is raised
    if the row is corrected already. `now` is taken after the lock: the earlier row's
    `superseded_at`, and the correction's own time if `build` uses it."""
    with service_atomic():  # durable: a correction is an entry point of its own
        earlier = lock_for_correction(model, pk, related=related)
        if is_corrected(earlier):
            raise refused
        now = timezone.now()
        correction = build(earlier, now)
        correction.supersedes = earlier
        correction.correction_reason = reason
        if isinstance(earlier, StampedSuperseding):
            # A queryset update: the earlier row is final (AppendOnly), only its stamp is set.
            stamped = model._default_manager.filter(
                pk=earlier.pk, superseded_at__isnull=True
            ).update(superseded_at=now, superseded_by=actor)
            if stamped != 1:
                raise refused
        save(correction)
    return correction
