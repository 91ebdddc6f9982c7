"""`manage.py rotate_pass_key`: a new pass-signing key (the next key id), or with
`--retire KID` stop trusting an old one. See docs/pass-token.md, "Key rotation"."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fangkong.access import services


class Command(BaseCommand):
    help = (
        "Make a new pass-signing key (new passes are signed with it; cards signed by older "
        "keys stay good), or retire an old key with --retire KID (its tokens are refused)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--retire", type=int, metavar="KID", help="the key id to retire")

    def handle(self, *args, retire=None, **options):
        if retire is None:
            key = services.rotate_key()
            self.stdout.write(f"new signing key: key id {key.kid}")
            return
        try:
            key = services.retire_key(retire)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"retired: key id {key.kid} (tokens it signed are refused)")
