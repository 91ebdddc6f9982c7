"""Fangkong's own settings, unchanged, with the bench URLs in front of Fangkong's."""

import os

from fangkong.settings import *  # noqa: F403 - the production settings, every one of them
from fangkong.settings import MIDDLEWARE

ROOT_URLCONF = "bench.benchsite.urls"

# A bench run does not collect static files (the API needs none), so the server must not
# wait for collectstatic's manifest (fangkong/wsgi.py refuses to start without it).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if os.environ.get("BENCH_CHECKIN_TIMING") == "1":
    MIDDLEWARE = ["bench.benchsite.timing.TimingMiddleware", *MIDDLEWARE]
