"""Helpers for the "same rows from the page and the API" tests: what a list page shows
(the ids in its rows' data attribute) and what the API returns, for one user and filter,
as (outcome, ids). The outcome is "ok", "bad filter" (page 400, API 422) or "refused"
(403), so that a page and an endpoint that refuse or reject alike compare equal."""

import re

from fangkong.core import services as core_services

OUTCOMES = {200: "ok", 400: "bad filter", 422: "bad filter", 403: "refused"}


def page_rows(client, user, url: str, query: dict, attribute: str = "id"):
    client.force_login(user)
    response = client.get(url, query)
    client.logout()
    outcome = OUTCOMES.get(response.status_code, response.status_code)
    if outcome != "ok":
        return outcome, None
    return outcome, re.findall(rf'data-{attribute}="([^"]+)"', response.content.decode())


def api_rows(client, user, path: str, query: dict, key: str = "id", paginated: bool = True):
    _token, raw = core_services.create_api_token(user, "test")
    params = {**query, "limit": 500} if paginated else query
    response = client.get(path, params, headers={"authorization": f"Bearer {raw}"})
    outcome = OUTCOMES.get(response.status_code, response.status_code)
    if outcome != "ok":
        return outcome, None
    body = response.json()
    rows = body["items"] if paginated else body
    return outcome, [str(row[key]) for row in rows]
