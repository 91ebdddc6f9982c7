"""The registry in the Django admin, for superusers (see fangkong/admin_site.py); and the three
kinds of admin every app's admin.py uses.

- `RecordAdmin`: master data a superuser may correct (campuses, units, stores…). Nothing is
  deleted here: master data is deactivated, and the rows that point at it stay.
- `HistoryAdmin`: the same for records that keep their history (django-simple-history):
  each change made here is a history row naming the superuser, and the history is shown.
- `ReadOnlyAdmin`: append-only ledgers (流水: stock moves, crossings, check-ins, follow-ups…)
  and the rows the services keep in step with them (balances, document numbers, signing
  keys, workflow records without a history). Shown, never added, changed or deleted here:
  a correction is a new row with a reason, made through the pages, the API or a command.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from fangkong.core.models import (
    ApiToken,
    Area,
    Building,
    Campus,
    DocumentSequence,
    Household,
    Person,
    PersonalDataReveal,
    Unit,
    User,
)


class RecordAdmin(admin.ModelAdmin):
    list_per_page = 50
    # A count of every row on each page is a second full scan of a big table.
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryAdmin(SimpleHistoryAdmin):
    list_per_page = 50
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Campus)
class CampusAdmin(RecordAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")


@admin.register(Area)
class AreaAdmin(RecordAdmin):
    list_display = ("name", "name_en", "campus", "kind")
    list_filter = ("campus", "kind")
    search_fields = ("name", "name_en")


@admin.register(Building)
class BuildingAdmin(RecordAdmin):
    list_display = ("name", "name_en", "area")
    list_filter = ("area__campus", "area__kind")
    list_select_related = ("area__campus",)
    search_fields = ("name", "name_en")


@admin.register(Unit)
class UnitAdmin(RecordAdmin):
    list_display = ("code", "name", "name_en", "kind", "is_active", "reports_daily")
    list_filter = ("kind", "is_active", "reports_daily")
    search_fields = ("code", "name", "name_en")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts: their roles are their groups. Switched off, never deleted (history names them)."""

    list_display = ("username", "first_name", "last_name", "unit", "is_active", "is_superuser")
    list_filter = ("groups", "is_active", "is_superuser", "is_staff")
    list_select_related = ("unit",)
    search_fields = ("username", "first_name", "last_name", "email")
    raw_id_fields = ("person",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Fangkong"), {"fields": ("unit", "person")}),
    )
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(HistoryAdmin):
    list_display = ("__str__", "area", "is_rented", "is_active")
    list_filter = ("area", "is_rented", "is_active")
    list_select_related = ("area", "building")
    search_fields = ("address", "building__name", "note")


@admin.register(Person)
class PersonAdmin(HistoryAdmin):
    """People. Full ID and phone numbers are shown only on the pages, where each showing is
    recorded; here they stay masked, and are changed through the pages or an import."""

    list_display = ("person_number", "name", "unit", "category", "residence", "is_active")
    list_filter = ("category", "residence", "is_active", "unit")
    list_select_related = ("unit",)
    search_fields = ("person_number", "name")
    exclude = ("national_id", "phone")
    readonly_fields = ("national_id_masked", "phone_masked")
    raw_id_fields = ("household", "dormitory")


@admin.register(PersonalDataReveal)
class PersonalDataRevealAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "person", "field", "channel")
    list_filter = ("field", "channel")
    list_select_related = ("user", "person")
    search_fields = ("user__username", "person__person_number", "person__name")
    date_hierarchy = "at"


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Only the hash of a token is kept; tokens are made and revoked on the API tokens page."""

    list_display = ("name", "prefix", "user", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    exclude = ("key_hash",)


@admin.register(DocumentSequence)
class DocumentSequenceAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "year", "last")
