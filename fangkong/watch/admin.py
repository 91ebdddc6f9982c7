"""Key persons, isolation and incidents in the Django admin, for superusers: the records that
keep their history may be corrected; follow-ups, temperature checks, incident timelines and
random draws are ledgers, shown read-only."""

from django.contrib import admin

from fangkong.core.admin import HistoryAdmin, ReadOnlyAdmin
from fangkong.watch.models import (
    FollowUp,
    Incident,
    IncidentAction,
    IsolationCase,
    IsolationCheck,
    IsolationPolicy,
    IsolationRoom,
    KeyPerson,
    RandomDraw,
    RegionOfConcern,
)

PEOPLE = ("person__person_number", "person__name")


@admin.register(RegionOfConcern)
class RegionOfConcernAdmin(HistoryAdmin):
    list_display = ("name", "from_date", "until_date")
    search_fields = ("name", "note")


@admin.register(KeyPerson)
class KeyPersonAdmin(HistoryAdmin):
    list_display = ("person", "category", "status", "listed_on", "monitoring_until", "responsible")
    list_filter = ("status", "category")
    list_select_related = ("person", "responsible")
    search_fields = (*PEOPLE, "reason")
    raw_id_fields = ("person", "region", "responsible", "listed_by", "verified_by", "cleared_by")


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ("at", "key_person", "kind", "outcome", "by")
    list_filter = ("kind", "outcome")
    list_select_related = ("key_person__person", "by")
    search_fields = ("key_person__person__person_number", "key_person__person__name", "note")


@admin.register(RandomDraw)
class RandomDrawAdmin(ReadOnlyAdmin):
    list_display = ("day", "size", "category", "seed", "drawn_by", "drawn_at")
    list_select_related = ("drawn_by",)
    search_fields = ("category",)


@admin.register(IsolationPolicy)
class IsolationPolicyAdmin(HistoryAdmin):
    list_display = ("effective_from", "days", "created_by", "created_at")
    raw_id_fields = ("created_by",)


@admin.register(IsolationRoom)
class IsolationRoomAdmin(HistoryAdmin):
    list_display = ("name", "building", "capacity", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("building",)
    search_fields = ("name", "note")


@admin.register(IsolationCase)
class IsolationCaseAdmin(HistoryAdmin):
    list_display = ("person", "place_kind", "status", "start_date", "planned_end", "end_date")
    list_filter = ("status", "place_kind")
    list_select_related = ("person",)
    search_fields = (*PEOPLE, "cdc_reference")
    raw_id_fields = ("person", "household", "room", "policy", "ended_by", "opened_by")


@admin.register(IsolationCheck)
class IsolationCheckAdmin(ReadOnlyAdmin):
    list_display = ("date", "slot", "case", "temperature", "is_fever", "by")
    list_filter = ("slot", "is_fever")
    list_select_related = ("case__person", "by")
    search_fields = ("case__person__person_number", "case__person__name")


@admin.register(Incident)
class IncidentAdmin(HistoryAdmin):
    list_display = ("occurred_at", "kind", "severity", "status", "place", "area")
    list_filter = ("status", "kind", "severity")
    list_select_related = ("area",)
    search_fields = ("place", "description")
    raw_id_fields = ("people", "isolation_cases", "cdc_notified_by", "closed_by", "reported_by")


@admin.register(IncidentAction)
class IncidentActionAdmin(ReadOnlyAdmin):
    list_display = ("at", "incident", "kind", "event", "by")
    list_filter = ("kind", "event")
    list_select_related = ("incident", "by")
    search_fields = ("text",)
