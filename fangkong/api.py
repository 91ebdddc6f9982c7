"""The HTTP API under /api/v1/: one NinjaAPI, a router per app, errors as JSON naming the field.

The apps' routers import their kit (ErrorOut, error_responses, …) from fangkong.apischema;
this module imports the routers, and no app imports this module.

Browsers use their session (with CSRF); devices and integrations send
`Authorization: Bearer <token>` with a token made on the "API tokens" page or by
`manage.py create_api_token`.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from fangkong.access.api import router as access_router
from fangkong.apidocs import VendoredSwagger
from fangkong.apischema import error_body
from fangkong.core.api import router as core_router
from fangkong.core.services import user_for_api_token
from fangkong.reporting.api import router as reporting_router
from fangkong.supplies.api import router as supplies_router
from fangkong.watch.api import router as watch_router


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_api_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Fangkong API",
    version="1",
    description="Fangkong (防控): the prevention & control office's platform.",
    # django_auth is the browser's session, with Django's CSRF check on writes.
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
    docs=VendoredSwagger(),
)


def _field_name(loc) -> str:
    # pydantic's location is e.g. ("body", "payload", "national_id"): the field is the tail.
    parts = [str(part) for part in loc if part not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "__all__"


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc):
    errors = [(_field_name(e.get("loc", ())), str(e.get("msg", ""))) for e in exc.errors]
    return api.create_response(request, error_body(_("Invalid input."), errors), status=422)


@api.exception_handler(DjangoValidationError)
def on_validation_error(request, exc):
    if hasattr(exc, "error_dict"):
        errors = [
            (field, message) for field, messages in exc.message_dict.items() for message in messages
        ]
    else:
        errors = [("__all__", message) for message in exc.messages]
    return api.create_response(request, error_body(_("Invalid input."), errors), status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return api.create_response(request, error_body(str(exc) or _("Not allowed.")), status=403)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body(str(exc) or _("Not found.")), status=404)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    # ninja's own refusals: a body that is not JSON (400), a session write without the CSRF
    # token (403). Same JSON shape as every other error, in the user's language.
    if exc.status_code == 400:
        detail = _("The request body is not valid JSON.")
    elif exc.status_code == 403 and "CSRF" in str(exc):
        detail = _("The CSRF check failed: reload the page and try again.")
    else:
        detail = str(exc)
    return api.create_response(request, error_body(detail), status=exc.status_code)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(
        request, error_body(_("Log in, or send a bearer token.")), status=401
    )


api.add_router("/core/", core_router)
api.add_router("/reporting/", reporting_router)
api.add_router("/supplies/", supplies_router)
api.add_router("/watch/", watch_router)
api.add_router("/access/", access_router)
