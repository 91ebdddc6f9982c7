"""Why a record changed, as its history keeps it (simple_history's change reason).

A reason a user types ("moved to Xi'an") is kept as typed. A reason the code records is a
code with its parameters, stored as a small JSON object — {"reason": "imported", "file":
"people.xlsx"} — and turned into a sentence in the reader's language when it is shown: a
sentence stored in the language of whoever made the change reads wrong to everyone else.
Every page that shows a history reason shows it through `reason_text` (the template filter
`history_reason`)."""

import json

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

REASONS = {
    # people and households
    "created": _("Created"),
    "edited": _("Edited"),
    "reactivated": _("Reactivated"),
    "imported": _("Imported from %(file)s"),
    "number_normalised": _("Person number normalised"),
    # the key-person ledger, isolation and incidents
    "ended": _("Ended"),
    "listed": _("Listed"),
    "verified": _("Verified"),
    "started": _("Started"),
    "opened": _("Opened"),
    "being_handled": _("Being handled"),
    "cdc_notified": _("CDC notified"),
    "closed": _("Closed"),
    # passes
    "applied": _("Applied"),
    "approved": pgettext_lazy("pass status", "Approved"),
    "rejected": _("Rejected"),
    "revoked": _("Revoked"),
    "used_at_gate": _("Used at a gate"),
}

_START = '{"reason": '


def coded(code: str, **params) -> str:
    """The stored form of the reason `code` with its parameters (texts and numbers)."""
    if code not in REASONS:
        raise ValueError(f"Unknown history reason {code!r}: add it to REASONS.")
    return json.dumps({"reason": code, **params}, ensure_ascii=False)


def decode(stored: str | None) -> tuple[str, dict] | None:
    """(code, parameters) of a coded reason; None for a typed one (or none)."""
    if not stored or not stored.startswith(_START):
        return None
    try:
        data = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("reason"), str):
        return None
    if data["reason"] not in REASONS:
        return None
    code = data.pop("reason")
    return code, data


def reason_code(stored: str | None) -> str:
    """The code of a coded reason, "" for a typed one."""
    decoded = decode(stored)
    return decoded[0] if decoded else ""


def reason_text(stored: str | None) -> str:
    """The reason as the reader reads it: a coded one in their language, a typed one as
    typed."""
    decoded = decode(stored)
    if decoded is None:
        return stored or ""
    code, params = decoded
    template = str(REASONS[code])
    try:
        return template % params if params else template
    except (KeyError, TypeError, ValueError):
        return template
