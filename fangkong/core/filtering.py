"""One filterset per list, applied inside the selector that scopes it, so that the page and
the API can never disagree about which rows a user sees (DESIGN.md, "list filters").

A list's selector calls `apply()` with the user's scoped queryset and the filter data (the
page's query string, or the values of the API's query schema); the page shows the bound
filterset's form and its errors, the API turns the errors into a 422 with `raise_errors()`.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _


@dataclass
class Filtered:
    """A list's rows for one user and one filter, and the bound filterset they came from
    (its form for the page, its errors for both). Bad filter input gives no rows."""

    rows: QuerySet
    filterset: django_filters.FilterSet

    @property
    def form(self):
        return self.filterset.form

    @property
    def errors(self) -> dict:
        return self.filterset.errors

    @property
    def ok(self) -> bool:
        return not self.filterset.errors


def filter_data(data) -> QueryDict | dict:
    """The filterset's data from a page's query string (as it is) or an API schema's values
    (None left out, records by id, enums by value)."""
    if data is None or isinstance(data, QueryDict):
        return data if data is not None else {}
    cleaned = {}
    for key, value in dict(data).items():
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            cleaned[key] = "1" if value else "0"
        else:
            cleaned[key] = str(getattr(value, "value", getattr(value, "pk", value)))
    return cleaned


def apply(filterset_class, data, queryset: QuerySet, **kwargs) -> Filtered:
    """`queryset` (already scoped to the user) filtered by `data` through `filterset_class`."""
    filterset = filterset_class(filter_data(data), queryset=queryset, **kwargs)
    rows = filterset.qs if filterset.is_valid() else queryset.none()
    return Filtered(rows=rows, filterset=filterset)


def raise_errors(filtered: Filtered) -> QuerySet:
    """The rows, or a ValidationError naming each bad filter (the API answers it with a 422
    naming the field)."""
    if not filtered.ok:
        raise ValidationError(
            {field: list(messages) for field, messages in filtered.errors.items()}
        )
    return filtered.rows


class SearchFilter(django_filters.CharFilter):
    """A list's search box: the text, stripped, matched against each of `lookups` (e.g.
    "name__icontains", "person_number__istartswith"); a row matching any one is kept.
    `distinct` for lookups across a to-many relation (a household's members)."""

    def __init__(self, *lookups: str, placeholder=None, distinct: bool = False, **kwargs):
        kwargs.setdefault("label", _("Search"))
        kwargs.setdefault("max_length", 60)
        attrs = {"type": "search"}
        if placeholder is not None:
            attrs["placeholder"] = placeholder
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(distinct=distinct, **kwargs)
        self.lookups = lookups

    def filter(self, queryset, value):
        value = (value or "").strip()
        if not value:
            return queryset
        matches = queryset.filter(reduce(or_, (Q(**{lookup: value}) for lookup in self.lookups)))
        return matches.distinct() if self.distinct else matches
