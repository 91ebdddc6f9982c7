"""Log-in throttling on django-axes: a user name and a client address are locked separately.

Counting failures per (user name, address) pair, as axes does when both are one parameter,
lets one password be tried across every account from one address without ever slowing
down. Here a user name is locked after AXES_FAILURE_LIMIT failures from anywhere, and an
address after AXES_IP_FAILURE_LIMIT failures on any accounts. The address has the higher
limit because on a campus many people reach the server from one address (an office or a
dormitory behind NAT): their typing mistakes add up there, an attacker's guesses add up
faster.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_lockout_parameters
from django.conf import settings
from django.db.models import Sum


class LoginThrottle(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        parameters = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)
        failures = {
            str(parameter): queryset.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for parameter, queryset in zip(parameters, attempts, strict=True)
        }
        by_username = failures.get("username", 0)
        # axes compares this one number with AXES_FAILURE_LIMIT: an address at its own
        # limit counts as a user name at the user name's limit.
        if failures.get("ip_address", 0) >= settings.AXES_IP_FAILURE_LIMIT:
            return max(by_username, settings.AXES_FAILURE_LIMIT)
        return by_username


def client_address(request) -> str | None:
    """The client's address. Behind nginx it is the last entry of X-Forwarded-For, the one
    nginx itself appended ($proxy_add_x_forwarded_for); entries before it are the client's
    own word and could be forged to dodge the per-address lock."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")
