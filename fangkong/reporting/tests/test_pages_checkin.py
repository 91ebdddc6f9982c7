"""The member's "Today's check-in" page and the correction page."""

import datetime
from decimal import Decimal

from fangkong.core.roles import Role
from fangkong.reporting import services
from fangkong.reporting.models import HealthCheckin
from fangkong.reporting.tests.conftest import form_data, good_answers
from fangkong.testing.factories import HealthCheckinFactory

URL = "/reporting/checkin/"


def test_form_is_empty_even_when_yesterdays_check_in_exists(client, member, person, today):
    HealthCheckinFactory(
        person=person,
        date=today - datetime.timedelta(days=1),
        temperature=Decimal("36.9"),
        symptoms=["cough"],
        current_province="湖北省",
        current_city="武汉市",
    )
    client.force_login(member)
    response = client.get(URL)
    form = response.context["form"]
    assert form.initial == {}
    assert all(field.initial is None for field in form.fields.values())
    assert all(form[name].value() in (None, [], "") for name in form.fields)
    page = response.content.decode()
    assert "湖北省" not in page and "武汉市" not in page and "36.9" not in page


def test_member_submits_today_and_sees_the_answers_with_a_correct_link(client, member, person):
    client.force_login(member)
    response = client.post(URL, form_data(temperature="36.4"), follow=True)
    checkin = HealthCheckin.objects.get(person=person)
    assert checkin.channel == HealthCheckin.Channel.SELF
    page = response.content.decode()
    assert "36.4 °C" in page
    assert f"/reporting/checkin/{checkin.pk}/correct/" in page
    assert response.context["form"] is None


def test_fever_is_shown_as_flagged_after_submitting(client, member, person):
    client.force_login(member)
    page = client.post(URL, form_data(temperature="38.1"), follow=True).content.decode()
    assert 'id="flagged-notice"' in page
    assert HealthCheckin.objects.get().is_abnormal


def test_bad_temperature_on_the_page_is_shown_at_the_field_and_nothing_written(client, member):
    client.force_login(member)
    response = client.post(URL, form_data(temperature="45.0"))
    assert response.status_code == 400
    assert "between 34.0 and 43.0" in response.context["form"].errors["temperature"][0]
    assert not HealthCheckin.objects.exists()


def test_unanswered_yes_no_question_is_required(client, member):
    client.force_login(member)
    response = client.post(URL, form_data(on_campus=None))
    assert response.status_code == 400
    assert "on_campus" in response.context["form"].errors
    assert not HealthCheckin.objects.exists()


def test_login_without_a_person_is_told_so(login_as):
    response = login_as(Role.MEMBER).get(URL)
    assert response.status_code == 200
    assert response.context["form"] is None
    assert "not linked to a person" in response.content.decode()


def test_correction_page_starts_from_the_version_it_corrects(client, member, person):
    checkin = services.submit_checkin(member, person, **good_answers(temperature=Decimal("37.9")))
    client.force_login(member)
    form = client.get(f"/reporting/checkin/{checkin.pk}/correct/").context["form"]
    assert form.initial["temperature"] == Decimal("37.9")


def test_correction_through_the_page_keeps_the_earlier_version(client, member, person):
    checkin = services.submit_checkin(member, person, **good_answers(temperature=Decimal("37.9")))
    client.force_login(member)
    data = form_data(temperature="36.9", reason="Measured again")
    response = client.post(f"/reporting/checkin/{checkin.pk}/correct/", data, follow=True)
    assert "36.9 °C" in response.content.decode()
    versions = list(HealthCheckin.objects.order_by("pk"))
    assert [v.temperature for v in versions] == [Decimal("37.9"), Decimal("36.9")]
    assert not versions[0].is_current and versions[1].supersedes == versions[0]


def test_correction_without_a_reason_is_refused_on_the_page(client, member, person):
    checkin = services.submit_checkin(member, person, **good_answers())
    client.force_login(member)
    response = client.post(f"/reporting/checkin/{checkin.pk}/correct/", form_data())
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert HealthCheckin.objects.count() == 1


def test_detail_page_lists_superseded_versions(client, member, person):
    first = services.submit_checkin(member, person, **good_answers(temperature=Decimal("37.9")))
    services.correct_checkin(member, first, reason="Measured again", **good_answers())
    client.force_login(member)
    page = client.get(f"/reporting/checkin/{first.pk}/").content.decode()
    assert "2 versions" in page and "Measured again" in page and "37.9" in page


def test_member_cannot_open_someone_elses_check_in(client, member, stranger):
    checkin = HealthCheckinFactory(person=stranger)
    client.force_login(member)
    assert client.get(f"/reporting/checkin/{checkin.pk}/").status_code == 404
    assert client.get(f"/reporting/checkin/{checkin.pk}/correct/").status_code == 404
