"""The transaction a service entry point owns: durable, so that no caller folds it silently
into a larger one (a nested `transaction.atomic(durable=True)` raises RuntimeError).

A caller that puts several entry points in one transaction on purpose says so: the demo
loaders (each part of the demo all or nothing) and a service built of others (the pass
desk applies and approves in one step) open `one_transaction()`; a test that looks inside a
service's transaction wraps its own in `nesting_allowed()`. Inside either, an entry point
joins the transaction around it (a savepoint) instead of refusing to.
"""

import contextlib
import contextvars
import functools

from django.db import transaction

_nesting = contextvars.ContextVar("fangkong_nesting_allowed", default=False)


def service_atomic(using=None):
    """transaction.atomic, durable unless inside nesting_allowed() (or one_transaction())."""
    return transaction.atomic(using=using, durable=not _nesting.get())


def entry_point(func):
    """A service function that runs in service_atomic() — the decorator form."""

    @functools.wraps(func)
    def inner(*args, **kwargs):
        with service_atomic():
            return func(*args, **kwargs)

    return inner


@contextlib.contextmanager
def nesting_allowed():
    """Entry points called inside this block join the transaction around them."""
    token = _nesting.set(True)
    try:
        yield
    finally:
        _nesting.reset(token)


@contextlib.contextmanager
def one_transaction(using=None):
    """A transaction of its own (durable, like an entry point's) that the entry points
    called inside it join: all of them are kept, or none."""
    with service_atomic(using), nesting_allowed():
        yield


__all__ = ["entry_point", "nesting_allowed", "one_transaction", "service_atomic"]
