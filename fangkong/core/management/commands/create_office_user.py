"""The first office login of a new installation (and any later one), from the command line.

    manage.py create_office_user USERNAME [--email E] [--full-name N]
                                 [--password-from-env VAR] [--noinput] [--update]

A new account asks for its password twice (or reads it from the environment variable VAR,
which --noinput requires), checked by the project's password validators. An account that
already exists is not touched unless --update is given: then it gets the office role beside
the roles it has, is switched on, and keeps its password unless VAR gives a new one. So
`createsuperuser` followed by `create_office_user NAME --update` makes an office login that
may also open /admin/.
"""

import getpass
import os

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fangkong.core import services
from fangkong.core.models import User
from fangkong.core.roles import Role


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {message}"
            for field, messages in error.message_dict.items()
            for message in messages
        )
    return "; ".join(error.messages)


class Command(BaseCommand):
    help = (
        "Create an account with the office role, or with --update give an existing account "
        "the office role."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="the account's e-mail address")
        parser.add_argument("--full-name", default="", help="shown in the menu and the history")
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="read the password from this environment variable instead of asking",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="never ask; a new account then needs --password-from-env",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="if the account exists, give it the office role (and switch it on)",
        )

    def handle(
        self, *args, username, email, full_name, password_from_env, interactive, update, **options
    ):
        username = username.strip()
        existing = User.objects.filter(username=username).first()
        if existing is not None and not update:
            raise CommandError(
                _(
                    "An account named %(name)s already exists. To give it the office role, run "
                    "the command again with --update (it keeps its password unless you also "
                    "give --password-from-env)."
                )
                % {"name": username}
            )
        password = self._password_from_env(password_from_env)
        try:
            if existing is not None:
                self._upgrade(existing, password, email, full_name)
                return
            if password is None:
                if not interactive:
                    raise CommandError(
                        _("A new account needs a password: give --password-from-env VAR.")
                    )
                password = self._ask_password(username)
            else:
                self._validate(password, username)
            services.create_account(
                None,
                username=username,
                password=password,
                roles=[Role.OFFICE],
                first_name=full_name,
                email=email,
            )
        except (ValidationError, PermissionDenied) as exc:
            message = _messages(exc) if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(message) from None
        self.stdout.write(_("Office account %(name)s created.") % {"name": username})

    def _upgrade(self, user, password, email, full_name) -> None:
        if password is not None:
            self._validate(password, user.username)
        changes = {"is_active": True}
        if password is not None:
            changes["password"] = password
        if email:
            changes["email"] = email
        if full_name:
            changes["first_name"] = full_name
        roles = {*user.groups.filter(name__in=Role.values).values_list("name", flat=True)}
        services.update_account(None, user, roles=[*roles, Role.OFFICE], **changes)
        self.stdout.write(_("%(name)s now has the office role.") % {"name": user.username})

    def _password_from_env(self, variable: str | None) -> str | None:
        if variable is None:
            return None
        value = os.environ.get(variable, "")
        if not value:
            raise CommandError(
                _("The environment variable %(var)s is not set or is empty.") % {"var": variable}
            )
        return value

    def _validate(self, password: str, username: str) -> None:
        try:
            password_validation.validate_password(password, User(username=username))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None

    def _ask_password(self, username: str) -> str:
        """Ask twice until the two agree and the validators accept (as createsuperuser does)."""
        while True:
            password = getpass.getpass(_("Password: "))
            if not password:
                self.stderr.write(_("Error: a blank password is not allowed."))
                continue
            if getpass.getpass(_("Password (again): ")) != password:
                self.stderr.write(_("Error: the two passwords differ."))
                continue
            try:
                password_validation.validate_password(password, User(username=username))
            except ValidationError as exc:
                self.stderr.write(" ".join(exc.messages))
                continue
            return password
