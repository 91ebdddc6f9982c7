"""/api/v1/docs loads Swagger UI from Fangkong's own static files, never from a CDN: on a
campus intranet without internet the docs still render."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders

DOCS = "/api/v1/docs"


def test_the_docs_page_names_no_other_host(client, db):
    html = client.get(DOCS).content.decode()
    assert re.findall(r"(?:https?:)?//[\w.-]+", html) == []


def test_every_file_the_docs_page_loads_is_a_vendored_static_file(client, db):
    html = client.get(DOCS).content.decode()
    referenced = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sorted(referenced) == [
        "/static/fangkong/api-docs.js",
        "/static/fangkong/icon.svg",
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui/swagger-ui.css",
    ]
    for url in referenced:
        assert finders.find(url.removeprefix("/static/")) is not None, url


def test_the_docs_page_points_swagger_at_our_schema(client, db):
    response = client.get(DOCS)
    assert response.status_code == 200
    assert '"url": "/api/v1/openapi.json"' in response.content.decode()


@pytest.mark.browser
def test_the_docs_render_with_every_other_host_blocked(new_page, live_server):
    page = new_page()
    outside = []

    def only_our_server(route):
        if urlsplit(route.request.url).netloc == urlsplit(live_server.url).netloc:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_our_server)
    page.goto(live_server.url + DOCS)
    # The whole schema (about 150 operations) is fetched and laid out before the title shows:
    # on a loaded 2-core CI machine that takes longer than the default 10 s.
    page.locator(".swagger-ui .info .title").wait_for(timeout=60_000)
    assert "Fangkong API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-summary-path", has_text="/api/v1/core/me").first.wait_for(timeout=60_000)
    assert outside == []
