"""The office defines the report's figures and the rules between them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangkong.reporting import services
from fangkong.reporting.models import ReportField, ValidationRule

pytestmark = pytest.mark.django_db


def test_fields_come_in_the_office_order_with_labels_in_both_languages(report_definition):
    from django.utils import translation

    codes = [field.code for field in services.active_fields()]
    assert codes == ["natives", "in_region", "people", "flagged"]
    field = report_definition["natives"]
    with translation.override("zh-hans"):
        assert field.display_label == "籍贯重点地区"
    with translation.override("en"):
        assert field.display_label == "Natives of a region"


def test_only_the_office_defines_the_report(officer):
    with pytest.raises(PermissionDenied):
        services.create_report_field(officer, code="x", label="x", label_en="x")
    assert not ReportField.objects.exists()


def test_a_field_code_is_unique_and_kept(report_definition, office):
    with pytest.raises(ValidationError) as error:
        services.create_report_field(office, code="natives", label="a", label_en="b")
    assert "code" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.update_report_field(office, report_definition["natives"], code="other")
    assert "code" in error.value.message_dict


def test_a_field_needs_both_labels(office):
    with pytest.raises(ValidationError) as error:
        services.create_report_field(office, code="beds", label="床位", label_en=" ")
    assert "label_en" in error.value.message_dict


def test_a_deactivated_field_is_no_longer_asked(report_definition, office):
    services.update_report_field(
        office, report_definition["flagged"], is_active=False, reason="not needed"
    )
    assert "flagged" not in [field.code for field in services.active_fields()]
    assert report_definition["flagged"].history.first().history_change_reason == "not needed"


def test_a_rule_compares_with_a_figure_or_a_number_not_both(report_definition, office):
    natives, people = report_definition["natives"], report_definition["people"]
    with pytest.raises(ValidationError) as error:
        services.create_validation_rule(office, left=natives, operator="le")
    assert "right" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.create_validation_rule(
            office, left=natives, operator="le", right=people, right_constant=3
        )
    assert "right_constant" in error.value.message_dict


def test_a_rule_compares_two_different_figures(report_definition, office):
    natives = report_definition["natives"]
    with pytest.raises(ValidationError, match="two different figures"):
        services.create_validation_rule(office, left=natives, operator="le", right=natives)


@pytest.mark.parametrize(
    ("operator", "left", "right", "holds"),
    [
        ("le", 3, 3, True),
        ("lt", 3, 3, False),
        ("eq", 2, 3, False),
        ("ne", 2, 3, True),
        ("ge", 2, 3, False),
        ("gt", 4, 3, True),
    ],
)
def test_rule_operators(operator, left, right, holds):
    assert ValidationRule(operator=operator).holds(left, right) is holds
