"""The API kit every app's router uses: the error body and the responses that carry it, enums
named for the API, looking a row up by id, bounded ids, the base of request bodies and
filters, and the page. The apps import this; `fangkong/api.py` imports the apps; nothing
here imports either."""

from enum import StrEnum
from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Path, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import Field, field_validator

# Row ids are bounded so that no client can make a number the database cannot hold.
MAX_ID = 2**53
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


# Every operation documents these statuses, each with an ErrorOut body.
ERRORS = frozenset({400, 401, 403, 404, 422})


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


def error_body(detail: str, errors: list[tuple[str, str]] | None = None) -> dict:
    return {"detail": detail, "errors": [{"field": f, "message": m} for f, m in errors or []]}


def error_responses(ok):
    """An operation's responses: `ok` on 200, an ErrorOut on every status in ERRORS."""
    return {200: ok, **{status: ErrorOut for status in ERRORS}}


def api_enum(name: str, choices) -> type[StrEnum]:
    """The model's choices as an enum named for the API. OpenAPI names an enum's schema after
    its class, and Area.Kind and Unit.Kind are both "Kind": one would silently replace the
    other in /api/v1/openapi.json."""
    return StrEnum(name, {member.name: member.value for member in choices})


def record(model, pk, field: str, queryset=None):
    """The row `pk` names, or an error on `field`."""
    if pk is None:
        return None
    found = (queryset if queryset is not None else model.objects.all()).filter(pk=pk).first()
    if found is None:
        raise ValidationError(
            {
                field: gettext("No such %(what)s: %(id)s.")
                % {"what": model._meta.verbose_name, "id": pk}
            }
        )
    return found


def id_path(description: str = ""):
    return Path(..., ge=1, le=MAX_ID, description=description)


class InSchema(Schema):
    """Base of every request body: text must be storable (no NUL, no lone surrogates)."""

    @field_validator("*", mode="before")
    @classmethod
    def storable_text(cls, value):
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError(str(_("Text may not contain NUL characters.")))
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(str(_("Text is not valid Unicode."))) from None
        return value


class FilterSchema(InSchema):
    """Base of every query-string filter: the same storable-text rule as a request body, so
    that no NUL character reaches a database query (PostgreSQL refuses one)."""


class Pagination(LimitOffsetPagination):
    """ninja's limit/offset pages, with the offset bounded too (ninja bounds only the limit),
    so that no offset overflows the database's integer."""

    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
        )
        offset: int = Field(0, ge=0, le=settings.NINJA_PAGINATION_MAX_OFFSET)
