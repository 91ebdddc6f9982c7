"""Gate access over HTTP: /api/v1/access/…"""

from ninja import Router

from fangkong.access.report_api import router as report_router

router = Router(tags=["access"])
router.add_router("/reports/", report_router)
