from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WatchConfig(AppConfig):
    name = "fangkong.watch"
    label = "watch"
    verbose_name = _("Key persons, isolation and incidents")
