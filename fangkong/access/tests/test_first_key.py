"""The first pass-signing key exists as soon as the database is migrated, so a gate device
set up before any pass is issued already holds the public key."""

from django.core.management.sql import emit_post_migrate_signal

from fangkong.access import services, tokens
from fangkong.access.models import SigningKey
from fangkong.testing.school import issued_pass

KEYS = "/api/v1/access/keys"


def test_a_freshly_migrated_database_publishes_one_active_key(client, db):
    document = client.get(KEYS).json()
    assert [(key["kid"], key["status"]) for key in document["keys"]] == [(1, "active")]


def test_the_first_pass_is_signed_by_the_key_published_before_it(client, school):
    document = client.get(KEYS).json()
    token = services.pass_token(issued_pass(school))
    assert tokens.verify(token, tokens.keys_from_document(document)).kid == 1
    assert SigningKey.objects.count() == 1


def test_migrating_again_makes_no_second_key(db):
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert list(SigningKey.objects.values_list("kid", "retired_at")) == [(1, None)]
