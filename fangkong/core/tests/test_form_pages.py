"""core.pages.submit and act: the one form -> service -> errors -> redirect loop."""

import pytest
from django import forms
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django_htmx.middleware import HtmxDetails

from fangkong.core.pages import act, apply_errors, bad_request, form_status, submit

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {
                        "page.html": "page|{{ form.errors.keys|join:',' }}|{{ extra }}",
                        "part.html": "part|{{ form.errors.keys|join:',' }}|{{ extra }}",
                    },
                )
            ]
        },
    }
]

pytestmark = pytest.mark.usefixtures("locmem_templates")


@pytest.fixture
def locmem_templates():
    with override_settings(TEMPLATES=TEMPLATES):
        yield


class NameForm(forms.Form):
    name = forms.CharField(max_length=10)
    note = forms.CharField(required=False)


def _request(method="post", data=None, htmx=False):
    factory = RequestFactory()
    headers = {"HX-Request": "true"} if htmx else {}
    if method == "post":
        request = factory.post("/x/", data or {}, headers=headers)
    else:
        request = factory.get("/x/", headers=headers)
    request._messages = CookieStorage(request)
    request.htmx = HtmxDetails(request)
    return request


def _messages(request):
    return [(message.level, str(message)) for message in get_messages(request)]


def _refuse(error):
    def save(_data):
        raise error

    return save


def test_a_get_renders_the_page_without_saving():
    calls = []
    request = _request("get")
    response = submit(
        request,
        NameForm(None),
        calls.append,
        template="page.html",
        context={"extra": "x"},
        redirect_to="/done/",
    )
    assert (response.status_code, calls) == (200, [])
    assert response.content.decode() == "page||x"


def test_an_invalid_form_answers_400_without_saving():
    calls = []
    request = _request(data={"name": ""})
    response = submit(
        request, NameForm(request.POST), calls.append, template="page.html", redirect_to="/done/"
    )
    assert (response.status_code, calls) == (400, [])
    assert response.content.decode() == "page|name|"


def test_a_service_error_naming_a_field_goes_onto_that_field_with_400():
    request = _request(data={"name": "Ann"})
    form = NameForm(request.POST)
    response = submit(
        request,
        form,
        _refuse(ValidationError({"name": "Ann is taken."})),
        template="page.html",
        redirect_to="/done/",
    )
    assert response.status_code == 400
    assert form.errors == {"name": ["Ann is taken."]}
    assert _messages(request) == []


def test_a_service_error_without_a_field_or_naming_another_goes_on_the_whole_form():
    request = _request(data={"name": "Ann"})
    form = NameForm(request.POST)
    response = submit(
        request,
        form,
        _refuse(ValidationError({"unknown": "Not here.", "__all__": "Closed."})),
        template="page.html",
        redirect_to="/done/",
    )
    assert response.status_code == 400
    assert sorted(form.non_field_errors()) == ["Closed.", "Not here."]
    request = _request(data={"name": "Ann"})
    form = NameForm(request.POST)
    submit(request, form, _refuse(ValidationError("Plain.")), template="page.html", redirect_to="/")
    assert form.non_field_errors() == ["Plain."]


def test_a_save_redirects_with_the_success_message_and_hands_over_a_copy_of_the_data():
    request = _request(data={"name": "Ann"})
    form = NameForm(request.POST)
    seen = []

    def save(data):
        seen.append(data)
        data.pop("name")  # a view may pop from what it is given
        return 7

    response = submit(
        request,
        form,
        save,
        template="page.html",
        success=lambda result: f"Saved {result}.",
        redirect_to=lambda result: f"/done/{result}/",
    )
    assert (response.status_code, response["Location"]) == (302, "/done/7/")
    assert _messages(request) == [(constants.SUCCESS, "Saved 7.")]
    assert seen == [{"note": ""}] and form.cleaned_data["name"] == "Ann"


def test_redirect_to_may_be_a_response_and_success_plain_text():
    request = _request(data={"name": "Ann"})
    answer = HttpResponse("custom", status=201)
    response = submit(
        request,
        NameForm(request.POST),
        lambda data: None,
        template="page.html",
        success="Done.",
        redirect_to=answer,
    )
    assert response is answer
    assert _messages(request) == [(constants.SUCCESS, "Done.")]


def test_the_context_function_runs_only_when_the_page_is_shown():
    built = []

    def context():
        built.append(1)
        return {"extra": "built"}

    request = _request(data={"name": "Ann"})
    submit(
        request,
        NameForm(request.POST),
        lambda d: 1,
        template="page.html",
        context=context,
        redirect_to="/",
    )
    assert built == []
    request = _request(data={"name": ""})
    response = submit(
        request,
        NameForm(request.POST),
        lambda d: 1,
        template="page.html",
        context=context,
        redirect_to="/",
    )
    assert built == [1] and response.content.decode().endswith("|built")


def test_errors_can_be_mapped_by_the_view():
    request = _request(data={"name": "Ann"})
    form = NameForm(request.POST)

    def on_lines(form, error):
        form.add_error("note", "line 1: " + error.messages[0])

    submit(
        request,
        form,
        _refuse(ValidationError({"lines.1": "Too many."})),
        template="page.html",
        redirect_to="/",
        errors=on_lines,
    )
    assert form.errors == {"note": ["line 1: Too many."]}


def test_without_a_form_the_page_is_shown_and_nothing_saved():
    calls = []
    request = _request(data={"name": "Ann"})
    response = submit(request, None, calls.append, template="page.html", redirect_to="/")
    assert (response.status_code, calls) == (200, [])


def test_an_htmx_request_gets_the_part_after_a_save_and_after_a_refusal():
    request = _request(data={"name": "Ann"}, htmx=True)
    response = submit(
        request,
        NameForm(request.POST),
        lambda d: 1,
        template="page.html",
        partial_template="part.html",
        success="Saved.",
        redirect_to="/",
    )
    assert response.status_code == 200 and response.content.decode().startswith("part|")
    assert _messages(request) == []
    request = _request(data={"name": "Ann"}, htmx=True)
    response = submit(
        request,
        NameForm(request.POST),
        _refuse(ValidationError({"name": "No."})),
        template="page.html",
        partial_template="part.html",
        redirect_to="/",
    )
    assert response.status_code == 400 and response.content.decode().startswith("part|")


def test_form_status_is_400_only_for_a_form_with_errors():
    form = NameForm({"name": ""})
    assert (form_status(None), form_status(NameForm()), form_status(form)) == (200, 200, 400)


def test_apply_errors_keeps_every_message_of_a_field():
    form = NameForm({"name": "x"})
    apply_errors(form, ValidationError({"name": ["One.", "Two."]}))
    assert form.errors["name"] == ["One.", "Two."]


def test_act_shows_a_refusal_as_an_error_and_goes_back():
    request = _request()

    def refused():
        raise ValidationError(["First.", "Second."])

    response = act(request, refused, success="Done.", redirect_to="/back/")
    assert (response.status_code, response["Location"]) == (302, "/back/")
    assert _messages(request) == [(constants.ERROR, "First. Second.")]


def test_act_shows_its_success():
    request = _request()
    response = act(request, lambda: 3, success=lambda n: f"{n} done.", redirect_to="/back/")
    assert response["Location"] == "/back/"
    assert _messages(request) == [(constants.SUCCESS, "3 done.")]


def test_a_refused_download_says_why_in_plain_text():
    response = bad_request("The period ends before it starts.")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == "The period ends before it starts."
