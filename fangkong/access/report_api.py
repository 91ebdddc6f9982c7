"""The gate reports over HTTP: mounted under /api/v1/access/reports/ by access/api.py."""

from ninja import Router

router = Router(tags=["access"])
