import importlib
import importlib.util
import time

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
        "Load the demo school (XAUAT, from the article), then each app's demo data; run "
        "again, bring its live days up to today. Does nothing the second time on a day."
    )

    def handle(self, *args, **options):
        started = time.monotonic()

        def out(message):
            # Each line as it happens, with the time since the start: a first load takes
            # a minute or two, and should be seen to move.
            self.stdout.write(f"  {time.monotonic() - started:5.0f} s  {message}")
            self.stdout.flush()

        # Core first: every app's demo builds on its school, people and logins. Each
        # loader checks its own marker and runs in its own transaction(s).
        changed = []
        out(f"{CORE}…")
        if core_demo.load_demo(out=out):
            changed.append(CORE)
        modules = list(app_demo_modules())
        for app_name, module in modules:
            out(f"{app_name}…")
            if module.load_demo(out):
                changed.append(app_name)
        # A second round for demo data read from other apps' demo data (the unit reports'
        # figures come from the ledgers that later apps keep).
        for app_name, module in modules:
            late = getattr(module, "load_demo_late", None)
            if not callable(late):
                continue
            out(f"{app_name} (second round)…")
            if late(out) and app_name not in changed:
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
