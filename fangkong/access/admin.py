"""Gate access in the Django admin, for superusers: gates, pass types and passes keep their
history and may be corrected; the crossing ledger, the dated area policies (history is
not rewritten: a new policy supersedes) and the signing keys (whose private halves are
never shown) are read-only."""

from django.contrib import admin

from fangkong.access.models import AccessPolicy, Crossing, Gate, Pass, PassType, SigningKey
from fangkong.core.admin import HistoryAdmin, ReadOnlyAdmin

NAMES = ("name", "name_en")


@admin.register(AccessPolicy)
class AccessPolicyAdmin(ReadOnlyAdmin):
    list_display = ("area", "kind", "effective_from", "quota_exits", "quota_days", "created_by")
    list_filter = ("kind", "area")
    list_select_related = ("area", "created_by")
    search_fields = ("area__name", "reason")


@admin.register(Gate)
class GateAdmin(HistoryAdmin):
    list_display = ("code", "name", "name_en", "area", "is_active")
    list_filter = ("is_active", "area")
    list_select_related = ("area",)
    search_fields = ("code", *NAMES)


@admin.register(PassType)
class PassTypeAdmin(HistoryAdmin):
    list_display = ("code", "name", "name_en", "default_days", "multiple_use", "uses", "is_active")
    list_filter = ("is_active", "multiple_use")
    search_fields = ("code", *NAMES)
    filter_horizontal = ("areas",)
    raw_id_fields = ("approver",)


@admin.register(Pass)
class PassAdmin(HistoryAdmin):
    list_display = ("number", "holder", "pass_type", "status", "valid_from", "valid_until")
    list_filter = ("status", "pass_type", "issued_at_desk")
    list_select_related = ("holder", "pass_type")
    search_fields = ("number", "holder__person_number", "holder__name")
    raw_id_fields = ("holder", "applied_by", "decided_by", "revoked_by")
    filter_horizontal = ("areas",)


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ("kid", "created_at", "retired_at")
    exclude = ("private_key", "public_key")


@admin.register(Crossing)
class CrossingAdmin(ReadOnlyAdmin):
    list_display = ("at", "gate", "direction", "person", "allowed", "reason", "source")
    list_filter = ("allowed", "direction", "reason", "source", "gate")
    list_select_related = ("gate", "person")
    search_fields = ("person__person_number", "person__name", "presented")
    date_hierarchy = "at"
