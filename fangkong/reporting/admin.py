"""Daily reporting in the Django admin, for superusers: the office's rules, figures and
validation rules may be corrected (with history); check-ins, unit reports, their figures
and their review steps are ledgers and workflow records, shown read-only."""

from django.contrib import admin

from fangkong.core.admin import HistoryAdmin, ReadOnlyAdmin
from fangkong.reporting.models import (
    HealthCheckin,
    ReportEvent,
    ReportField,
    ReportingPolicy,
    ReportValue,
    UnitReport,
    ValidationRule,
)


@admin.register(ReportingPolicy)
class ReportingPolicyAdmin(HistoryAdmin):
    list_display = ("school_name", "deadline", "days_open", "fever_threshold", "updated_at")
    raw_id_fields = ("updated_by",)


@admin.register(ReportField)
class ReportFieldAdmin(HistoryAdmin):
    list_display = ("code", "label", "label_en", "order", "source", "is_active")
    list_filter = ("is_active", "source")
    search_fields = ("code", "label", "label_en")


@admin.register(ValidationRule)
class ValidationRuleAdmin(HistoryAdmin):
    list_display = ("left", "operator", "right", "right_constant", "priority", "is_active")
    list_filter = ("priority", "is_active")
    list_select_related = ("left", "right")
    search_fields = ("message", "message_en", "left__code", "right__code")


@admin.register(HealthCheckin)
class HealthCheckinAdmin(ReadOnlyAdmin):
    list_display = ("date", "person", "temperature", "is_abnormal", "channel", "superseded_at")
    list_filter = ("is_abnormal", "channel", "on_campus")
    list_select_related = ("person",)
    search_fields = ("person__person_number", "person__name")
    date_hierarchy = "date"


@admin.register(UnitReport)
class UnitReportAdmin(ReadOnlyAdmin):
    list_display = ("date", "unit", "status", "is_nil", "on_time", "submitted_at")
    list_filter = ("status", "is_nil", "on_time")
    list_select_related = ("unit",)
    search_fields = ("unit__code", "unit__name")
    date_hierarchy = "date"


@admin.register(ReportValue)
class ReportValueAdmin(ReadOnlyAdmin):
    list_display = ("report", "field", "value", "computed", "kind", "given_by", "given_at")
    list_filter = ("kind",)
    list_select_related = ("report__unit", "field", "given_by")
    search_fields = ("report__unit__code", "field__code")


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "report", "action", "by")
    list_filter = ("action",)
    list_select_related = ("report__unit", "by")
    search_fields = ("report__unit__code", "comment")
    date_hierarchy = "at"
