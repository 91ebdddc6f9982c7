from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def make_first_signing_key(sender, using=DEFAULT_DB_ALIAS, apps=None, **kwargs) -> None:
    """After every `migrate` (and `flush`): an install has a public key to hand to gate
    devices from the start, not only once the first pass is signed."""
    if using != DEFAULT_DB_ALIAS:
        return
    if apps is not None:  # migrate passes the migrated state; flush passes none
        try:
            apps.get_model("access", "SigningKey")
        except LookupError:
            return  # migrated backwards past the table, or access is not migrated yet
    # Imported here: the services import models, which cannot load while apps are loading.
    from fangkong.access.services import ensure_signing_key

    ensure_signing_key()


class AccessConfig(AppConfig):
    name = "fangkong.access"
    label = "access"
    verbose_name = _("Gate access")

    def ready(self) -> None:
        post_migrate.connect(make_first_signing_key, sender=self)
