"""Template filters for history rows: the reason in the reader's language."""

from django import template

from fangkong.core.history import reason_code, reason_text

register = template.Library()

register.filter("history_reason", reason_text)
register.filter("history_reason_code", reason_code)
