"""The access services own their transactions: inside a caller's transaction.atomic() they
refuse to run (see core.transactions). The pass desk and the gate call other entry points
(apply and approve; open a fever incident) in one_transaction(), which refuses the same."""

import pytest
from django.db import transaction

from fangkong.access import services
from fangkong.access.models import Crossing, Pass
from fangkong.testing.school import issued_pass
from fangkong.watch.models import Incident


def test_the_pass_desk_refuses_to_join_a_callers_transaction(school):
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        issued_pass(school)
    assert not Pass.objects.exists()


def test_revoking_refuses_to_join_a_callers_transaction(school):
    gate_pass = issued_pass(school)
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        services.revoke_pass(school.office, gate_pass, reason="离校")
    gate_pass.refresh_from_db()
    assert gate_pass.status == Pass.Status.APPROVED


def test_the_desk_applies_and_approves_in_one_transaction(school):
    gate_pass = issued_pass(school)
    assert gate_pass.status == Pass.Status.APPROVED and gate_pass.issued_at_desk


def test_a_fever_at_the_gate_opens_its_incident_in_the_gates_transaction(school):
    decision = services.decide_at_gate(
        school.guard,
        gate=school.family_gate,
        direction=Crossing.Direction.IN,
        person_number=school.resident.person_number,
        temperature="38.2",
    )
    assert decision.reason == Crossing.Reason.FEVER
    assert Incident.objects.filter(kind=Incident.Kind.FEVER).count() == 1
