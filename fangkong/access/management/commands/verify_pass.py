"""`manage.py verify_pass TOKEN`: check a pass token as an offline gate device would, with
only the public keys. Exit status 0 when the token is valid, 1 when it is refused.

With `--keys keys.json` (the document of GET /api/v1/access/keys) the database is not
touched at all; without it the public halves are read from the database, and so is the
revocation list unless `--revoked` names one (the JSON of GET /api/v1/access/revocations,
or a plain list of pass numbers). `TOKEN` may be `-` to read it from standard input, e.g.
`zbarimg --raw card.png | manage.py verify_pass - --keys keys.json`.
"""

import datetime
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fangkong.access import services, tokens
from fangkong.access.models import Crossing

VALID = "valid"


def _read_json(path: str, option: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"{option}: cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise CommandError(f"{option}: {path} is not JSON ({exc})") from None


def keys_from_file(path: str) -> dict[int, tokens.PublicKey]:
    document = _read_json(path, "--keys")
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise CommandError('--keys: expected the JSON of /api/v1/access/keys ({"keys": [...]})')
    try:
        return tokens.keys_from_document(document)
    except (KeyError, TypeError, ValueError) as exc:
        raise CommandError(f"--keys: a key entry is damaged ({exc})") from None


def revoked_from_file(path: str) -> frozenset[str]:
    """Pass numbers from the revocation list's JSON, or from a plain list of numbers."""
    document = _read_json(path, "--revoked")
    rows = document.get("revoked") if isinstance(document, dict) else document
    if not isinstance(rows, list):
        raise CommandError('--revoked: expected {"revoked": [...]} or a list of pass numbers')
    numbers = set()
    for row in rows:
        number = row.get("number") if isinstance(row, dict) else row
        if not isinstance(number, str):
            raise CommandError(f"--revoked: not a pass number: {row!r}")
        numbers.add(number.strip().upper())
    return frozenset(numbers)


class Command(BaseCommand):
    help = (
        "Check a pass token with only the public keys, as an offline gate device does: "
        "print its claims and 'valid' or the reason it is refused (exit status 1)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "token", help="the token (FK1.…) a pass's QR code carries; - reads stdin"
        )
        parser.add_argument(
            "--keys", help="the JSON of /api/v1/access/keys; without it, the database's keys"
        )
        parser.add_argument("--area", type=int, help="the id of the area the gate serves")
        parser.add_argument("--on", help="the day to check for, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--revoked", help="the JSON of /api/v1/access/revocations, or a list of pass numbers"
        )

    def handle(self, *args, token, keys=None, area=None, on=None, revoked=None, **options):
        if token == "-":
            token = sys.stdin.read()
        token = token.strip()
        day = self._day(on)
        if keys:
            ring = keys_from_file(keys)
            numbers = revoked_from_file(revoked) if revoked else frozenset()
        else:
            ring = services.key_ring()
            if revoked:
                numbers = revoked_from_file(revoked)
            else:
                numbers = frozenset(row["number"] for row in services.revocation_list(today=day))
        if not ring:
            raise CommandError("No public keys to check with.")
        reason, claims = tokens.check(token, ring, day=day, area=area, revoked=numbers)
        if claims is not None:
            self.stdout.write(f"key id:      {claims.kid}")
            self.stdout.write(f"pass number: {claims.number}")
            self.stdout.write(f"holder:      {claims.holder}")
            self.stdout.write(f"areas:       {', '.join(str(a) for a in claims.areas)}")
            self.stdout.write(f"valid:       {claims.valid_from} to {claims.valid_until}")
            self.stdout.write(f"checked for: {day}" + (f", area {area}" if area else ""))
        if reason == VALID:
            self.stdout.write(self.style.SUCCESS(VALID))
            return
        self.stdout.write(self.style.ERROR(f"refused: {reason} ({self._label(reason)})"))
        sys.exit(1)

    @staticmethod
    def _day(on: str | None) -> datetime.date:
        if not on:
            return timezone.localdate()
        try:
            return datetime.date.fromisoformat(on)
        except ValueError:
            raise CommandError(f"--on: not a date (YYYY-MM-DD): {on!r}") from None

    @staticmethod
    def _label(reason: str) -> str:
        try:
            return str(Crossing.Reason(reason).label)
        except ValueError:
            return reason
