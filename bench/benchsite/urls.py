"""Fangkong's URLs, plus `bench/insert`: a bare view doing one INSERT (the HTTP baseline)."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

# Made by bench.checkin_http's set-up in the throwaway database; no migration knows it.
TABLE = "bench_insert"


def create_table_sql(vendor: str) -> str:
    if vendor == "postgresql":
        key = "id bigserial PRIMARY KEY"
        stamp = "created_at timestamp with time zone NOT NULL"
    else:
        key = "id integer PRIMARY KEY AUTOINCREMENT"
        stamp = "created_at datetime NOT NULL"
    return f"CREATE TABLE {TABLE} ({key}, {stamp}, body text NOT NULL)"


@csrf_exempt
@require_POST
def bare_insert(request):
    """One INSERT of the request's body, in autocommit, and a tiny response: no auth, no
    validation, no ORM model — the least a Django view that writes a row can do."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (created_at, body) VALUES (%s, %s)",
            [timezone.now(), request.body.decode()],
        )
    return HttpResponse(b'{"ok":true}', content_type="application/json")


urlpatterns = [
    path("bench/insert", bare_insert, name="bench-insert"),
    path("", include("fangkong.urls")),
]
