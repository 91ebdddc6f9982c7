"""Template filters of the supplies pages."""

from decimal import Decimal

from django import template
from django.utils.html import format_html_join

from fangkong.supplies.services import shown

register = template.Library()


@register.filter
def qty(value) -> str:
    """A quantity as people write it (30, 12.5), as the services' messages show it."""
    if value is None or value == "":
        return ""
    return shown(value if isinstance(value, Decimal) else Decimal(str(value)))


@register.simple_tag
def stock_rows(rows) -> str:
    """The stock-on-hand table's body rows. Built here rather than in a template loop: a
    school's stock runs to hundreds of rows, and each row's eight lookups through the
    template engine cost more than the query behind the whole page."""
    return format_html_join(
        "\n",
        '    <tr data-item="{}" data-store="{}" data-source="{}"><td>{}</td><td>{}</td>'
        "<td>{}</td><td>{}</td></tr>",
        (
            (
                row.item.code,
                row.store.code,
                row.source.code,
                row.item.display_name,
                row.store.display_name,
                row.source.display_name,
                row.quantity_text,
            )
            for row in rows
        ),
    )
