"""/api/v1/docs with the Swagger UI vendored in static/vendor/swagger-ui/, not a CDN's: on a
campus intranet without internet the docs must still load."""

from django.shortcuts import render
from ninja.openapi.docs import DocsBase, _csrf_needed


class VendoredSwagger(DocsBase):
    template = "api/docs.html"
    settings = {
        "layout": "BaseLayout",
        "deepLinking": True,
        # Swagger UI would send the schema to validator.swagger.io for a badge.
        "validatorUrl": None,
    }

    def render_page(self, request, api, **kwargs):
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            "api": api,
            "swagger_settings": settings,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)
