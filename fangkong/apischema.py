"""Pieces every app's API schemas share."""

from typing import Annotated

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from ninja import Path, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import Field, field_validator

# Row ids are bounded so that no client can make a number the database cannot hold.
MAX_ID = 2**53
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


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
