"""The supplies services own their transactions: inside a caller's transaction.atomic()
they refuse to run (see core.transactions)."""

import pytest
from django.db import transaction

from fangkong.supplies import services
from fangkong.supplies.models import SourceCategory, Supplier


def test_a_source_refuses_to_join_a_callers_transaction(office):
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        services.create_source(office, code="bought", name="学校采购")
    assert not SourceCategory.objects.filter(code="bought").exists()


def test_a_supplier_refuses_to_join_a_callers_transaction(office):
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        services.create_supplier(office, name="校友会", kind=Supplier.Kind.DONOR)
    assert not Supplier.objects.exists()
