import importlib
import importlib.util

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core import demo as core_demo

CORE = "fangkong.core"


def app_demo_modules():
    """(app name, demo module) of every installed app but core with a `demo` module that
    has a `load_demo(out)`, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        if config.name == CORE:
            continue
        name = f"{config.name}.demo"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        if callable(getattr(module, "load_demo", None)):
            yield config.name, module


class Command(BaseCommand):
    help = gettext_lazy(
        "Load the demo school (XAUAT, from the article), then each app's demo data. "
        "Does nothing if it is already loaded."
    )

    def handle(self, *args, **options):
        def out(message):
            self.stdout.write(f"  {message}")

        # Core first: every app's demo builds on its school, people and logins. Each
        # loader checks its own marker and runs in its own transaction.
        changed = []
        if core_demo.load_demo(out=out):
            changed.append(CORE)
        modules = list(app_demo_modules())
        for app_name, module in modules:
            if module.load_demo(out):
                changed.append(app_name)
        # A second round for demo data read from other apps' demo data (the unit reports'
        # figures come from the ledgers that later apps keep).
        for app_name, module in modules:
            late = getattr(module, "load_demo_late", None)
            if callable(late) and late(out) and app_name not in changed:
                changed.append(app_name)
        if changed:
            self.stdout.write(
                self.style.SUCCESS(_("Demo loaded: %(apps)s.") % {"apps": ", ".join(changed)})
            )
        else:
            self.stdout.write(_("Demo school already loaded: nothing to do."))
        self.stdout.write(_("Demo logins (user / role / password):"))
        logins = list(core_demo.demo_logins())
        for _app_name, module in modules:
            logins += getattr(module, "demo_logins", list)()
        for username, role, password in logins:
            self.stdout.write(f"  {username:<12} {role:<28} {password}")
