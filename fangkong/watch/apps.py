from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WatchConfig(AppConfig):
    name = "fangkong.watch"
    label = "watch"
    verbose_name = _("Key persons, isolation and incidents")

    def ready(self) -> None:
        # Imported here: they import models, which cannot load while apps are loading.
        from fangkong.reporting import figures
        from fangkong.watch import figures as watch_figures

        figures.register_ledger(watch_figures.ledger_figures)
