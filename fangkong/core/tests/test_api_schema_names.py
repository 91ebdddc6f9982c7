"""Every schema of the API has its own name: django-ninja files them in the OpenAPI
document under their class names, and a second class of the same name silently replaces
the first there (clients then validate against the wrong shape)."""

import importlib
import inspect
from collections import defaultdict

from django.apps import apps
from ninja import Schema


def test_no_two_api_schemas_share_a_name():
    places = defaultdict(set)
    for config in apps.get_app_configs():
        if not config.name.startswith("fangkong."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.api")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, Schema)
                and value.__module__ == module.__name__
            ):
                places[value.__name__].add(module.__name__)
    shared = {name: sorted(modules) for name, modules in places.items() if len(modules) > 1}
    assert shared == {}
    assert places  # the apps' API modules were found
