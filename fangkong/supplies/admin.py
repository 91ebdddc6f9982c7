"""Supplies in the Django admin, for superusers: items, packs, stores, sources, donors and
per-unit limits may be corrected; the stock ledger and everything kept in step with it
(lots, balances, receipts, requisitions, document numbers, closed periods) is shown
read-only, since a balance must stay the sum of its moves (`manage.py check_ledger`)."""

from django.contrib import admin

from fangkong.core.admin import HistoryAdmin, ReadOnlyAdmin, RecordAdmin
from fangkong.supplies.models import (
    Balance,
    ClosedPeriod,
    Item,
    Lot,
    Pack,
    Receipt,
    ReceiptLine,
    Requisition,
    RequisitionLine,
    SourceCategory,
    StockMove,
    Store,
    Supplier,
    UnitLimit,
)

NAMES = ("name", "name_en")


class PackInline(admin.TabularInline):
    model = Pack
    extra = 0

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Item)
class ItemAdmin(HistoryAdmin):
    list_display = ("code", "name", "name_en", "category", "unit", "minimum_level", "is_active")
    list_filter = ("category", "is_active", "has_expiry")
    search_fields = ("code", *NAMES)
    inlines = (PackInline,)


@admin.register(Pack)
class PackAdmin(RecordAdmin):
    list_display = ("item", "name", "name_en", "quantity")
    list_select_related = ("item",)
    search_fields = ("item__code", *NAMES)


@admin.register(Store)
class StoreAdmin(RecordAdmin):
    list_display = ("code", "name", "name_en", "campus", "is_active")
    list_filter = ("campus", "is_active")
    search_fields = ("code", *NAMES)


@admin.register(SourceCategory)
class SourceCategoryAdmin(RecordAdmin):
    list_display = ("code", "name", "name_en", "is_active")
    search_fields = ("code", *NAMES)


@admin.register(Supplier)
class SupplierAdmin(RecordAdmin):
    list_display = ("name", "name_en", "kind", "contact", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = (*NAMES, "contact")


@admin.register(UnitLimit)
class UnitLimitAdmin(HistoryAdmin):
    list_display = ("item", "unit", "per_person_per_day")
    list_select_related = ("item", "unit")
    search_fields = ("item__code", "unit__code")


class ReceiptLineInline(admin.TabularInline):
    model = ReceiptLine
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ("number", "received_on", "store", "source", "supplier")
    list_filter = ("store", "source")
    list_select_related = ("store", "source", "supplier")
    search_fields = ("number", "note")
    date_hierarchy = "received_on"
    inlines = (ReceiptLineInline,)


@admin.register(ReceiptLine)
class ReceiptLineAdmin(ReadOnlyAdmin):
    list_display = ("receipt", "item", "quantity", "lot_number", "expires_on")
    list_select_related = ("receipt", "item")
    search_fields = ("receipt__number", "item__code", "lot_number")


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ("item", "lot_number", "source", "supplier", "expires_on", "received_on")
    list_filter = ("source",)
    list_select_related = ("item", "source", "supplier")
    search_fields = ("item__code", "lot_number")


@admin.register(Balance)
class BalanceAdmin(ReadOnlyAdmin):
    list_display = ("store", "item", "lot", "source", "quantity")
    list_filter = ("store",)
    list_select_related = ("store", "item", "lot", "source")
    search_fields = ("item__code", "lot__lot_number")


class RequisitionLineInline(ReceiptLineInline):
    model = RequisitionLine


@admin.register(Requisition)
class RequisitionAdmin(ReadOnlyAdmin):
    list_display = ("number", "unit", "purpose", "status", "requested_at", "decided_at")
    list_filter = ("status", "purpose")
    list_select_related = ("unit",)
    search_fields = ("number", "unit__code", "note")
    inlines = (RequisitionLineInline,)


@admin.register(RequisitionLine)
class RequisitionLineAdmin(ReadOnlyAdmin):
    list_display = ("requisition", "item", "requested", "approved", "issued")
    list_select_related = ("requisition", "item")
    search_fields = ("requisition__number", "item__code")


@admin.register(ClosedPeriod)
class ClosedPeriodAdmin(ReadOnlyAdmin):
    list_display = ("closed_through", "closed_by", "closed_at")
    list_select_related = ("closed_by",)


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = ("moved_on", "kind", "store", "item", "lot", "quantity", "posted_by")
    list_filter = ("kind", "store")
    list_select_related = ("store", "item", "lot", "posted_by")
    search_fields = ("item__code", "lot__lot_number", "recipient", "reason")
    date_hierarchy = "moved_on"
