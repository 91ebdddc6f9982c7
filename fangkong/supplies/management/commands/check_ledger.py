from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from fangkong.supplies.selectors import ledger_differences
from fangkong.supplies.services import shown


class Command(BaseCommand):
    help = gettext_lazy(
        "Recompute every stock balance from the moves and report any difference "
        "(exits non-zero if there is one)."
    )

    def handle(self, *args, **options):
        differences = ledger_differences()
        for row in differences:
            self.stdout.write(
                _(
                    "store %(store)s, lot %(lot)s: balance %(balance)s, moves add up to "
                    "%(moves)s (%(problems)s)"
                )
                % {
                    "store": row["store_id"],
                    "lot": row["lot_id"],
                    "balance": shown(row["balance"]),
                    "moves": shown(row["moves"]),
                    "problems": "; ".join(row["problems"]),
                }
            )
        if differences:
            raise CommandError(
                ngettext(
                    "%(count)d balance differs from the moves.",
                    "%(count)d balances differ from the moves.",
                    len(differences),
                )
                % {"count": len(differences)}
            )
        self.stdout.write(
            self.style.SUCCESS(_("The ledger is sound: every balance is the sum of its moves."))
        )
