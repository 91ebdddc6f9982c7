"""Printable documents as PDF, made by WeasyPrint from a Django template.

WeasyPrint lays text out with Pango and finds fonts through fontconfig, so Chinese text
needs a CJK font installed on the machine (Debian's fonts-noto-cjk: `.ci/run` installs it);
the print stylesheet names it first. Documents load nothing from the network: the URL
fetcher below refuses everything but `data:` URLs, so a name or a note that looks like a
link cannot make the server fetch it.
"""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

PDF_CONTENT_TYPE = "application/pdf"


def _offline_fetcher(url: str, *args, **kwargs):
    from weasyprint.urls import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(_("Documents load nothing from elsewhere: %(url)s") % {"url": url[:80]})


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    """The template rendered to HTML, then printed to PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, url_fetcher=_offline_fetcher).write_pdf()


def pdf_response(
    template_name: str, context: dict, filename: str, request=None, *, download: bool = False
) -> HttpResponse:
    """A PDF answer: shown in the browser (to print), or saved if `download`."""
    response = HttpResponse(
        render_pdf(template_name, context, request=request), content_type=PDF_CONTENT_TYPE
    )
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
