"""Printable documents as PDF, made by WeasyPrint from a Django template.

WeasyPrint lays text out with Pango and finds fonts through fontconfig, so Chinese text
needs a CJK font installed on the machine (Debian's fonts-noto-cjk: `.ci/run` installs it);
the print stylesheet names it first. Documents load nothing from the network: the URL
fetcher below refuses everything but `data:` URLs, so a name or a note that looks like a
link cannot make the server fetch it.
"""

from django.http import HttpResponse
from django.template.loader import render_to_string

PDF_CONTENT_TYPE = "application/pdf"


def _offline_fetcher():
    """A fetcher that loads `data:` URLs (an embedded image, such as a pass's QR code) and
    refuses every other scheme. WeasyPrint 70 takes a URLFetcher object, not a function."""
    # WeasyPrint is imported where a PDF is made: it loads Pango and fontconfig, which
    # every process would pay for at start-up while few ever print.
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    """The template rendered to HTML, then printed to PDF bytes."""
    from weasyprint import HTML  # as above: only where a PDF is made

    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, url_fetcher=_offline_fetcher()).write_pdf()


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
