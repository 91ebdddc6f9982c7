"""The demo school for the tests that read it, seeded once per test process.

`seed_demo` goes through the services, as it must, and takes tens of seconds; seven test
modules read the demo. So the first of them in a process (an xdist worker) seeds it and
keeps a copy of every table's rows as the seed left them; each later module gets those
rows copied back in (PostgreSQL: COPY; SQLite: executemany), the sequences moved past them,
in a few seconds. Either way the rows live inside the module's transaction, rolled back at
its end, so the other tests find the shared test database as the migrations left it.

The tests of `seed_demo` itself call the command; they do not use this copy.
"""

import datetime
import decimal
import io

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

_tables: list[tuple[str, list[str], object]] | None = None  # (table, columns, rows)


def load_demo() -> None:
    """The demo school in the database, inside the caller's transaction."""
    global _tables
    from fangkong.testing.browser import restore_migrated_data

    if _tables is None:
        restore_migrated_data()
        call_command("seed_demo", stdout=io.StringIO())
        _tables = _copy_out()
    else:
        _copy_in(_tables)


def _table_names() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _copy_out() -> list[tuple[str, list[str], object]]:
    tables = []
    with connection.cursor() as cursor:
        for table in _table_names():
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {quoted} TO STDOUT") as copy:
                    tables.append((table, [], b"".join(bytes(chunk) for chunk in copy)))
            else:
                cursor.execute(f"SELECT * FROM {quoted}")
                columns = [column[0] for column in cursor.description]
                tables.append((table, columns, _as_stored(cursor.fetchall())))
    return tables


# SQLite gives dates, times, decimals and booleans back as Python values (Django's
# converters); they go back in as the text and integers they were stored as.
_STORED = {
    datetime.datetime: lambda value: value.isoformat(" "),
    datetime.date: datetime.date.isoformat,
    datetime.time: datetime.time.isoformat,
    decimal.Decimal: str,
    bool: int,
}


def _as_stored(rows: list[tuple]) -> list[tuple]:
    if not rows:
        return rows
    converters = {}
    for index in range(len(rows[0])):
        kind = next((type(row[index]) for row in rows if row[index] is not None), None)
        if kind in _STORED:
            converters[index] = _STORED[kind]
    if not converters:
        return rows
    return [
        tuple(
            converters[index](value) if index in converters and value is not None else value
            for index, value in enumerate(row)
        )
        for row in rows
    ]


def _copy_in(tables: list[tuple[str, list[str], object]]) -> None:
    quoted = {table: connection.ops.quote_name(table) for table, _columns, _rows in tables}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Every table at once, so that no foreign key stands in the way.
            cursor.execute(f"TRUNCATE {', '.join(quoted.values())}")
            for table, _columns, data in tables:
                if data:
                    with cursor.cursor.copy(f"COPY {quoted[table]} FROM STDIN") as copy:
                        copy.write(data)
            models = [model for model in apps.get_models(include_auto_created=True)]
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        else:
            # Foreign keys are checked when the transaction ends (Django makes them
            # deferrable), and it never ends in a commit here.
            for table in quoted.values():
                cursor.execute(f"DELETE FROM {table}")
            raw = connection.connection
            for table, columns, rows in tables:
                if rows:
                    names = ", ".join(connection.ops.quote_name(column) for column in columns)
                    marks = ", ".join("?" * len(columns))
                    raw.executemany(f"INSERT INTO {quoted[table]} ({names}) VALUES ({marks})", rows)
