"""The loop every form page runs, written once: validate the form, call the service, put
the service's refusal on the form's fields, answer 400 with the form or redirect with a
message. Every app's views use it, so a refused write answers the same way everywhere."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render


def apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages_:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def is_partial(request) -> bool:
    """An htmx request for a list's rows (not a history restore, which needs the page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def form_status(form) -> int:
    """400 when the page's form came back with errors, 200 otherwise (or without a form)."""
    return 400 if form is not None and form.errors else 200


def bad_request(problem: str) -> HttpResponse:
    """A download (a workbook, a PDF) refused for what its request asked, e.g. a report's
    period: the reason as plain text, 400 — there is no page to show it on."""
    return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")


def _answer(result, to) -> HttpResponseBase:
    target = to(result) if callable(to) else to
    return target if isinstance(target, HttpResponseBase) else redirect(target)


def submit(
    request,
    form,
    save: Callable[[dict], Any],
    *,
    template: str,
    context: dict | Callable[[], dict] | None = None,
    success: str | Callable[[Any], str] | None = None,
    redirect_to=None,
    partial_template: str | None = None,
    errors: Callable | None = None,
) -> HttpResponseBase:
    """A form page's answer.

    On a POST whose `form` is valid, `save(data)` runs (data: a copy of the cleaned data,
    the service call may pop from it). A ValidationError it raises goes onto the form's
    fields (`errors(form, error)`, apply_errors by default); otherwise the user sees the
    `success` message (a text, or made from what `save` returned) and is sent to
    `redirect_to` (a URL or URL name, or `redirect_to(result)` giving one or a response).

    Any other time (a GET, an invalid form, a refusal) `template` is rendered with
    `context` (a dict, or a function giving it, called only then) and the form under
    "form" unless the context names it otherwise, with 400 when the form has errors.
    `form` None (a page some roles only read) always renders.

    An htmx request (see is_partial) gets `partial_template`, if given, in place of the
    page, after a save too: the part swapped in, no redirect, no message.
    """
    partial = partial_template is not None and is_partial(request)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            result = save(dict(form.cleaned_data))
        except ValidationError as error:
            (errors or apply_errors)(form, error)
        else:
            if not partial:
                if success is not None:
                    messages.success(request, success(result) if callable(success) else success)
                return _answer(result, redirect_to)
    page = context() if callable(context) else dict(context or {})
    page.setdefault("form", form)
    return render(
        request, partial_template if partial else template, page, status=form_status(form)
    )


def act(
    request,
    action: Callable[[], Any],
    *,
    redirect_to,
    success: str | Callable[[Any], str] | None = None,
) -> HttpResponseBase:
    """A button's POST without a form (verify, end, deactivate): `action()` runs; its
    ValidationError is shown as an error message, its success as `success`; either way
    the user goes back to `redirect_to` (as in submit)."""
    try:
        result = action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        result = None
    else:
        if success is not None:
            messages.success(request, success(result) if callable(success) else success)
    return _answer(result, redirect_to)
