"""Template filters of the supplies pages."""

from decimal import Decimal

from django import template

from fangkong.supplies.services import shown

register = template.Library()


@register.filter
def qty(value) -> str:
    """A quantity as people write it (30, 12.5), as the services' messages show it."""
    if value is None or value == "":
        return ""
    return shown(value if isinstance(value, Decimal) else Decimal(str(value)))
