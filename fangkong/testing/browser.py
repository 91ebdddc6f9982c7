"""Browser tests: Debian's Chromium driven through Playwright's sync API, against live_server.

Loaded for every test by ``pytest_plugins`` in fangkong/conftest.py. A browser test asks for
``page`` (or ``new_page(locale="zh-CN", phone=True)``), logs in through the real form with
``browser_login`` and drives the pages that pytest-django's ``live_server`` serves::

    pytestmark = pytest.mark.browser

    def test_officer_sees_the_people_list(new_page, live_server, make_user, unit):
        officer = make_user(Role.OFFICER, unit=unit)
        page = new_page(locale="zh-CN")
        browser_login(page, live_server, officer.username)
        page.goto("/people/")  # URLs are relative to live_server

What the harness takes care of:

* Chromium is ``$CHROMIUM``, else /usr/bin/chromium, else ``chromium`` on the PATH. Without
  one, browser tests are skipped (and the terminal summary says so), unless
  ``FANGKONG_REQUIRE_BROWSER=1`` (CI), where they fail.
* One Chromium per pytest process (so one per xdist worker); each test gets fresh contexts,
  closed afterwards. A failing test leaves a screenshot and the HTML of its pages in
  ``$FANGKONG_VAR_DIR/browser-failures/`` (var/ by default), and its report says where.
* ``live_server`` makes a test transactional: the server's thread must see the test's rows,
  so they are committed, and the tables are emptied after the test. Emptying them also
  removes the rows the data migrations made (the role groups), so before each test that
  uses the database they are put back if missing (see ``MIGRATED_DATA``); a test never
  depends on which test ran before it.
* Playwright's sync API runs an asyncio loop in the test's thread and marks it as running
  between calls, which Django's ORM refuses (SynchronousOnlyOperation). During a browser
  test ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set, and the mark is taken away again after it, so
  the tests that run next in the same process see no event loop. While the mark is there,
  the ORM uses connections of its own (closed after the test), and code that needs a
  thread without a loop (``async_to_sync``, ``asyncio.run``) cannot run in a browser test's
  body: do such work in fixtures that come before the browser fixtures.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

PHONE_VIEWPORT = {"width": 390, "height": 844}
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NO_CHROMIUM = "no Chromium found (install Debian's chromium)"
# Fixtures that put Chromium in a test: a test using any of them is a browser test.
BROWSER_FIXTURES = {"browser", "new_context", "context", "new_page", "page"}
# Data migrations' forward functions, run again (they are idempotent) before every test that
# empties the tables afterwards. Add a data migration here when tests rely on its rows.
MIGRATED_DATA = [
    "fangkong.core.migrations.0002_roles:create_roles",
    "fangkong.reporting.migrations.0002_reporting_policy:create_policy",
]
# Milliseconds a Playwright action or navigation waits before it fails.
ACTION_TIMEOUT = 10_000
NAVIGATION_TIMEOUT = 20_000

_CONTEXTS = pytest.StashKey[list]()


def find_chromium() -> str | None:
    """The Chromium to drive: $CHROMIUM, else /usr/bin/chromium, else `chromium` on the PATH."""
    configured = os.environ.get("CHROMIUM", "").strip()
    if configured:
        if os.path.isfile(configured) and os.access(configured, os.X_OK):
            return configured
        return shutil.which(configured)
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def browser_required() -> bool:
    return os.environ.get("FANGKONG_REQUIRE_BROWSER", "").strip() == "1"


def _no_chromium_message() -> str:
    configured = os.environ.get("CHROMIUM", "").strip()
    if configured:
        return f"{NO_CHROMIUM}; CHROMIUM={configured!r} is not an executable"
    return f"{NO_CHROMIUM}; looked for $CHROMIUM, /usr/bin/chromium and `chromium` on the PATH"


# ---- hooks -------------------------------------------------------------------------------


def pytest_collection_modifyitems(config, items):
    """Mark every test that uses a browser fixture `browser`; skip them without Chromium."""
    missing = find_chromium() is None and not browser_required()
    for item in items:
        if BROWSER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        if missing and item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=_no_chromium_message()))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Without Chromium where one is required, fail before the database is set up for nothing."""
    if item.get_closest_marker("browser") and browser_required() and find_chromium() is None:
        pytest.fail(f"FANGKONG_REQUIRE_BROWSER=1, but {_no_chromium_message()}", pytrace=False)


def pytest_report_header(config):
    chromium = find_chromium()
    if chromium:
        return f"browser tests: Chromium at {chromium}"
    if browser_required():
        return f"browser tests: {NO_CHROMIUM}, and FANGKONG_REQUIRE_BROWSER=1: they will fail"
    return f"browser tests: {NO_CHROMIUM}; they will be skipped"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """One visible line when browser tests were skipped for want of Chromium (also with -q)."""
    skipped = 0
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else ""
        if NO_CHROMIUM in str(reason):
            skipped += 1
    if skipped:
        terminalreporter.write_line(
            f"{skipped} browser test(s) skipped: {NO_CHROMIUM}", yellow=True, bold=True
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """When a browser test fails, save a screenshot and the HTML of each of its pages."""
    report = yield
    contexts = item.stash.get(_CONTEXTS, None)
    if report.when == "call" and report.failed and contexts:
        saved = _save_pages(item, contexts)
        if saved:
            report.sections.append(("browser", saved))
    return report


# ---- the database --------------------------------------------------------------------------


def _is_transactional(request) -> bool:
    names = request.fixturenames
    if "live_server" in names or "transactional_db" in names:
        return True
    marker = request.node.get_closest_marker("django_db")
    return bool(
        marker
        and (
            marker.kwargs.get("transaction")
            or marker.kwargs.get("reset_sequences")
            or (marker.args and marker.args[0])
        )
    )


@pytest.fixture(autouse=True)
def _migrated_data(request):
    """Before any test that uses the database, put back the rows the data migrations made,
    if a transactional test has emptied the tables.

    A transactional test (any that uses live_server) ends by emptying every table, and so
    takes the role groups with it; every test after it in the same process would find no
    roles. Autouse, so it runs before the test's own fixtures (make_user needs the groups).
    """
    uses_db = {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if not uses_db and request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    restore_migrated_data()


def restore_migrated_data(apps=None) -> None:
    """Run the data migrations' forward functions again if a flush removed their rows."""
    from django.contrib.auth.models import Group

    if apps is None:
        from django.apps import apps
    if Group.objects.filter(name="member").exists():
        return
    for target in MIGRATED_DATA:
        module, function = target.split(":")
        getattr(importlib.import_module(module), function)(apps, None)


# ---- the event loop ------------------------------------------------------------------------


def _running_loop():
    return asyncio.events._get_running_loop()


def _set_running_loop(loop) -> None:
    asyncio.events._set_running_loop(loop)


def _no_loop_in_this_thread() -> object:
    """Clear a stale "running loop" mark, returning it; refuse if a loop really runs here."""
    previous = _running_loop()
    if previous is not None and previous.is_running():
        pytest.fail(
            "A browser test cannot run inside a running asyncio event loop (Playwright's "
            "sync API refuses it): do not make browser tests or their fixtures async.",
            pytrace=False,
        )
    _set_running_loop(None)
    return previous


class _Chromium:
    """The process's Playwright and Chromium, and the asyncio loop Playwright runs on."""

    def __init__(self, executable: str):
        from playwright.sync_api import sync_playwright

        previous = _no_loop_in_this_thread()
        try:
            self.playwright = sync_playwright().start()
            try:
                self.browser = self.playwright.chromium.launch(
                    executable_path=executable, headless=True, args=CHROMIUM_ARGS
                )
            except BaseException:
                self.playwright.stop()
                raise
            # Playwright marks its loop as running in this thread between its calls.
            self.loop = _running_loop() or self.playwright._loop
        finally:
            _set_running_loop(previous)

    def close(self) -> None:
        previous = _running_loop()
        _set_running_loop(self.loop)
        try:
            try:
                self.browser.close()
            finally:
                self.playwright.stop()
        finally:
            _set_running_loop(previous)


# ---- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The Chromium binary; skips (or, with FANGKONG_REQUIRE_BROWSER=1, fails) without one."""
    executable = find_chromium()
    if executable is None:
        if browser_required():
            pytest.fail(f"FANGKONG_REQUIRE_BROWSER=1, but {_no_chromium_message()}", pytrace=False)
        pytest.skip(_no_chromium_message())
    return executable


@pytest.fixture(scope="session")
def _chromium(chromium_executable):
    chromium = _Chromium(chromium_executable)
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def browser(_chromium):
    """The Chromium of this pytest process (one per xdist worker), launched headless once."""
    return _chromium.browser


@pytest.fixture
def new_context(_chromium, live_server, monkeypatch, request):
    """new_context(locale="en-US", phone=False, **options) -> a fresh BrowserContext.

    Relative URLs go to live_server. `locale` sets navigator.language and Accept-Language
    ("zh-CN" makes Django pick zh-hans); `phone=True` gives a 390x844 touch screen. Other
    keywords go to Browser.new_context(). Every context is closed after the test.
    """
    from django.db import connections

    # The ORM, in the test and its fixtures, runs beside Playwright's loop (see the module).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    previous = _running_loop()
    _set_running_loop(_chromium.loop)
    contexts = request.node.stash[_CONTEXTS] = []

    def make(locale: str = "en-US", phone: bool = False, **options):
        options.setdefault("base_url", live_server.url)
        options.setdefault("locale", locale)
        if phone:
            options.setdefault("viewport", PHONE_VIEWPORT)
            options.setdefault("is_mobile", True)
            options.setdefault("has_touch", True)
        else:
            options.setdefault("viewport", DESKTOP_VIEWPORT)
        context = _chromium.browser.new_context(**options)
        context.set_default_timeout(ACTION_TIMEOUT)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT)
        contexts.append(context)
        return context

    try:
        yield make
    finally:
        try:
            for context in contexts:
                context.close()
        finally:
            # While the loop is marked as running, Django keeps this thread's connections
            # apart from its usual ones (asgiref's Local): close them, or they outlive the
            # test (PostgreSQL then refuses to drop the test database).
            connections.close_all()
            _set_running_loop(previous)


@pytest.fixture
def browser_context_args() -> dict:
    """Keywords for new_context() behind `context` and `page`; override to change them,
    e.g. @pytest.mark.parametrize("browser_context_args", [{"locale": "zh-CN"}])."""
    return {}


@pytest.fixture
def context(new_context, browser_context_args):
    """A fresh browser context (English, desktop size unless browser_context_args says)."""
    return new_context(**browser_context_args)


@pytest.fixture
def page(context):
    """A page in `context`; page.goto("/people/") opens live_server's /people/."""
    return context.new_page()


@pytest.fixture
def new_page(new_context):
    """new_page(locale="en-US", phone=False, **options) -> a page in a fresh context."""

    def make(locale: str = "en-US", phone: bool = False, **options):
        return new_context(locale=locale, phone=phone, **options).new_page()

    return make


def browser_login(page, live_server, username: str, password: str = "pw"):
    """Log in through the real form at /login/ and wait for the page it leads to.

    Raises AssertionError when the form does not let the user in (wrong password, lockout).
    """
    page.goto(f"{live_server.url}/login/")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)

    def is_login_post(response) -> bool:
        return response.request.method == "POST" and urlsplit(response.url).path == "/login/"

    with page.expect_response(is_login_post) as posted:
        form.locator("[type=submit]").click()
    response = posted.value
    if response.status not in (301, 302, 303):
        page.wait_for_load_state()
        raise AssertionError(
            f"logging in as {username!r} failed (HTTP {response.status}): "
            f"{page.locator('main').inner_text()[:300]!r}"
        )
    page.wait_for_url(lambda url: urlsplit(url).path != "/login/")
    page.wait_for_load_state()
    return page


def _save_pages(item, contexts) -> str:
    """Save a screenshot and the HTML of every open page; say where (or why not)."""
    from django.conf import settings

    folder = Path(settings.VAR_DIR) / "browser-failures"
    stem = re.sub(r"[^\w.-]+", "_", item.nodeid)[-150:]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for c, context in enumerate(contexts):
            for p, page in enumerate(context.pages):
                name = f"{stem}-{c}-{p}"
                page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
                (folder / f"{name}.html").write_text(page.content(), encoding="utf-8")
    except Exception as exc:  # a courtesy: never hide the test's own failure behind it
        return f"could not save the browser's pages: {exc!r}"
    return f"the browser's pages are saved as {folder}/{stem}-*.png and .html"
