import os

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
application = get_wsgi_application()


def require_collected_static() -> None:
    """Stop a server that would answer every page with a 500: with DEBUG off the pages name
    their static files through collectstatic's manifest, and a start without it has none."""
    if settings.DEBUG or not isinstance(staticfiles_storage, ManifestFilesMixin):
        return
    if staticfiles_storage.read_manifest() is None:
        manifest = os.path.join(settings.STATIC_ROOT, staticfiles_storage.manifest_name)
        raise ImproperlyConfigured(
            f"The static files are not collected ({manifest} is missing), so every page "
            "would fail. Run `.venv/bin/python manage.py collectstatic --noinput` once after "
            "each install or upgrade (`make run` does it), then start the server again."
        )


require_collected_static()
