"""Reading a page in tests: its text, and the error shown under a field."""

import html
import re


def html_text(response) -> str:
    """The page's HTML, markup kept, entities decoded, whitespace run together."""
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def shown_text(response) -> str:
    """What the page shows: its text without the markup, whitespace run together."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def field_error(response, field: str) -> str:
    """The error shown under the input `field` (its id is id_<field>-error); "" if none."""
    match = re.search(rf'id="id_{field}-error"[^>]*>([^<]*)<', response.content.decode())
    return html.unescape(match.group(1)) if match else ""
