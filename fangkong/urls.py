from django.contrib import admin
from django.urls import include, path

from fangkong.api import api
from fangkong.core.views import health

urlpatterns = [
    path("health", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("reporting/", include("fangkong.reporting.urls")),
    path("watch/", include("fangkong.watch.urls")),
    path("supplies/", include("fangkong.supplies.urls")),
    path("access/", include("fangkong.access.urls")),
    path("", include("fangkong.core.urls")),
]
