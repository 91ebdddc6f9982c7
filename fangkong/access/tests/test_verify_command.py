"""`manage.py verify_pass`: a gate device's check with only the public keys (the JSON of
/api/v1/access/keys), no database; and `manage.py rotate_pass_key`."""

import base64
import datetime
import io
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.utils import timezone

from fangkong.access import services, tokens
from fangkong.access.models import SigningKey
from fangkong.testing.school import issued_pass


def verify(*args, blocker=None) -> tuple[int, str]:
    """(exit status, output) of verify_pass; with `blocker`, any database use fails."""
    out = io.StringIO()
    status = 0
    try:
        if blocker is not None:
            with blocker.block():
                call_command("verify_pass", *args, stdout=out)
        else:
            call_command("verify_pass", *args, stdout=out)
    except SystemExit as exit_:
        status = exit_.code
    return status, out.getvalue()


@pytest.fixture
def keys_file(tmp_path, client):
    def write() -> str:
        path = tmp_path / "keys.json"
        path.write_text(client.get("/api/v1/access/keys").content.decode(), encoding="utf-8")
        return str(path)

    return write


def test_a_real_token_is_valid_with_only_the_keys_file(school, keys_file, django_db_blocker):
    gate_pass = issued_pass(school)
    token = services.pass_token(gate_pass)
    keys = keys_file()
    status, out = verify(
        token, "--keys", keys, "--area", str(school.teaching.pk), blocker=django_db_blocker
    )
    assert status == 0, out
    assert out.strip().splitlines()[-1] == "valid"
    assert f"pass number: {gate_pass.number}" in out
    assert f"holder:      {school.outsider.person_number}" in out


def test_the_database_keys_are_used_without_a_file(school):
    token = services.pass_token(issued_pass(school))
    status, out = verify(token)
    assert (status, out.strip().splitlines()[-1]) == (0, "valid")


def test_a_tampered_token_is_refused(school, keys_file, django_db_blocker):
    token = services.pass_token(issued_pass(school))
    keys = keys_file()
    raw = bytearray(base64.b32decode(token[4:] + "=" * (-len(token[4:]) % 8)))
    raw[6] ^= 0x01  # the last day of validity moved by one
    tampered = "FK1." + base64.b32encode(bytes(raw)).decode().rstrip("=")
    status, out = verify(tampered, "--keys", keys, blocker=django_db_blocker)
    assert status == 1
    assert "refused: forged" in out


def test_a_token_from_an_unknown_key_is_refused(school, keys_file, django_db_blocker):
    gate_pass = issued_pass(school)
    claims = services.claims_for(gate_pass)
    stranger = tokens.Claims(**{**claims.__dict__, "kid": 42})
    token = tokens.sign(stranger, Ed25519PrivateKey.generate())
    status, out = verify(token, "--keys", keys_file(), blocker=django_db_blocker)
    assert status == 1
    assert "refused: unknown_key" in out


def test_a_token_from_a_retired_key_is_refused(school, keys_file, django_db_blocker):
    token = services.pass_token(issued_pass(school))
    call_command("rotate_pass_key", stdout=io.StringIO())
    call_command("rotate_pass_key", "--retire", "1", stdout=io.StringIO())
    status, out = verify(token, "--keys", keys_file(), blocker=django_db_blocker)
    assert status == 1
    assert "refused: retired_key" in out


def test_an_expired_token_is_refused_on_a_later_day(school, keys_file, django_db_blocker):
    gate_pass = issued_pass(school)
    token = services.pass_token(gate_pass)
    later = (gate_pass.valid_until + datetime.timedelta(days=1)).isoformat()
    status, out = verify(token, "--keys", keys_file(), "--on", later, blocker=django_db_blocker)
    assert status == 1
    assert "refused: expired" in out
    assert f"pass number: {gate_pass.number}" in out  # the claims are still shown


def test_a_token_for_another_area_is_refused(school, keys_file):
    token = services.pass_token(issued_pass(school))
    status, out = verify(token, "--keys", keys_file(), "--area", str(school.family.pk))
    assert (status, "refused: wrong_area" in out) == (1, True)


def test_a_revoked_pass_is_refused_with_the_revocation_list(school, keys_file, tmp_path):
    gate_pass = issued_pass(school)
    token = services.pass_token(gate_pass)
    services.revoke_pass(school.office, gate_pass, reason="离校")
    revoked = tmp_path / "revoked.json"
    rows = services.revocation_list()
    revoked.write_text(json.dumps({"revoked": rows}, default=str), encoding="utf-8")
    status, out = verify(token, "--keys", keys_file(), "--revoked", str(revoked))
    assert (status, "refused: revoked" in out) == (1, True)
    # Without a file, the database's revocation list is used.
    status, out = verify(token)
    assert (status, "refused: revoked" in out) == (1, True)


def test_garbage_is_malformed(school, keys_file):
    services.signing_key()
    status, out = verify("hello", "--keys", keys_file())
    assert (status, out.strip()) == (1, "refused: malformed (Not a pass code or pass number)")


def test_bad_options_are_named(school, tmp_path):
    token = services.pass_token(issued_pass(school))
    with pytest.raises(CommandError, match="--on"):
        verify(token, "--on", "tomorrow")
    bad = tmp_path / "keys.json"
    bad.write_text("not json", encoding="utf-8")
    with pytest.raises(CommandError, match="--keys"):
        verify(token, "--keys", str(bad))
    with pytest.raises(CommandError, match="--keys"):
        verify(token, "--keys", str(tmp_path / "missing.json"))


def test_rotating_adds_a_key_and_retiring_the_signing_key_is_refused(db):
    # Key 1 was made when the database was migrated.
    out = io.StringIO()
    call_command("rotate_pass_key", stdout=out)
    assert "key id 2" in out.getvalue()
    with pytest.raises(CommandError, match="signs new passes"):
        call_command("rotate_pass_key", "--retire", "2", stdout=out)
    with pytest.raises(CommandError, match="No key has id 9"):
        call_command("rotate_pass_key", "--retire", "9", stdout=out)
    call_command("rotate_pass_key", "--retire", "1", stdout=out)
    assert SigningKey.objects.get(kid=1).retired_at <= timezone.now()
    assert SigningKey.objects.get(kid=2).retired_at is None
