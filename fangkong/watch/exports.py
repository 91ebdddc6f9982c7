"""The ledger and the compliance table as .xlsx, ID numbers and phones masked."""

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from fangkong.core.identity import mask_national_id, mask_phone
from fangkong.spreadsheets import XLSX_CONTENT_TYPE, Column
from fangkong.watch.selectors import ComplianceTable

# The person's columns that open the ledger's and the isolation cases' sheets.
PERSON_COLUMNS = [
    Column("unit", "Unit", "单位", width=20),
    Column("person_number", "Person number", "人员编号"),
    Column("name", "Name", "姓名", width=10),
    Column("person_category", "Person category", "人员类别"),
    Column("national_id", "ID number", "身份证号", width=20),
    Column("phone", "Phone", "手机号"),
]


def _person_cells(person) -> list:
    """PERSON_COLUMNS' cells; the ID number and the phone masked."""
    return [
        person.unit.display_name,
        person.person_number,
        person.name,
        person.get_category_display(),
        mask_national_id(person.national_id),
        mask_phone(person.phone),
    ]


def _local(moment):
    """An aware datetime as the local wall-clock time Excel shows (Excel has no zones)."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


LEDGER_COLUMNS = [
    *PERSON_COLUMNS,
    Column("category", "Key-person category", "重点人员类别", width=24),
    Column("region", "Region of concern", "重点地区"),
    Column("reason", "Reason", "原因", width=30),
    Column("listed_on", "Date listed", "列入日期", width=12),
    Column("monitoring_until", "Monitoring until", "监测截止", width=12),
    Column("responsible", "Responsible staff", "责任人"),
    Column("status", "Status", "状态", width=10),
    Column("verified_by", "Verified by", "核实人"),
    Column("verified_at", "Verified at", "核实时间", width=18),
    Column("cleared_on", "Cleared on", "解除日期", width=12),
    Column("clear_reason", "Reason for clearing", "解除原因", width=24),
]


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def ledger_rows(entries):
    """One row per entry, in LEDGER_COLUMNS' order; personal data masked."""
    for entry in entries.iterator(chunk_size=500):
        yield [
            *_person_cells(entry.person),
            entry.get_category_display(),
            entry.region.name if entry.region_id else "",
            entry.reason,
            entry.listed_on,
            entry.monitoring_until,
            _who(entry.responsible),
            entry.get_status_display(),
            _who(entry.verified_by),
            _local(entry.verified_at),
            entry.cleared_on,
            entry.clear_reason,
        ]


def _text_not_formulas(sheet) -> None:
    # A unit named "=…" is text, not a formula for Excel to run.
    for (cell,) in sheet.iter_rows(min_col=1, max_col=1):
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def _rate(cell) -> float | None:
    return float(cell.rate) if cell.rate is not None else None


def compliance_workbook(table: ComplianceTable, chinese: bool) -> HttpResponse:
    """Sheet 1: units × days, each cell "followed up / due" and the rate; sheet 2: the same
    figures one row per unit and day, for sums and pivots."""
    bold = Font(bold=True)
    workbook = Workbook()
    grid = workbook.active
    grid.title = _("Compliance")[:31]
    header = [_("Unit")]
    for day in table.days:
        header += [f"{day:%m-%d} " + _("due"), f"{day:%m-%d} " + _("followed up"), "%"]
    header += [_("Total due"), _("Total followed up"), "%"]
    grid.append(header)
    for cell in grid[1]:
        cell.font = bold
    for unit, cells, total in table.rows():
        row = [unit.display_name]
        for cell in [*cells, total]:
            row += [cell.due, cell.followed_up, _rate(cell)]
        grid.append(row)
    school = [_("Whole school")]
    for cell in [*table.school, table.total]:
        school += [cell.due, cell.followed_up, _rate(cell)]
    grid.append(school)
    for cell in grid[grid.max_row]:
        cell.font = bold
    grid.column_dimensions["A"].width = 24
    _text_not_formulas(grid)

    long = workbook.create_sheet(_("By unit and day")[:31])
    columns = [
        Column("unit", "Unit", "单位"),
        Column("day", "Day", "日期"),
        Column("due", "Due", "应随访"),
        Column("followed_up", "Followed up", "已随访"),
        Column("rate", "Compliance %", "随访率%"),
    ]
    long.append([column.zh if chinese else column.en for column in columns])
    for cell in long[1]:
        cell.font = bold
    for unit, cells, _total in table.rows():
        for day, cell in zip(table.days, cells, strict=True):
            long.append([unit.display_name, day, cell.due, cell.followed_up, _rate(cell)])
    for row in long.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "yyyy-mm-dd"
    _text_not_formulas(long)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    name = f"compliance-{table.days[0]:%Y%m%d}-{table.days[-1]:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ---- medical isolation --------------------------------------------------------------------

ISOLATION_COLUMNS = [
    *PERSON_COLUMNS,
    Column("place_kind", "Place", "隔离方式", width=18),
    Column("place", "Where", "隔离地点", width=22),
    Column("reason", "Reason", "原因", width=30),
    Column("ordered_by", "Ordered by", "决定单位", width=10),
    Column("cdc_reference", "CDC order reference", "疾控文号", width=20),
    Column("start_date", "Start date", "开始日期", width=12),
    Column("policy_days", "Policy (days)", "隔离天数", width=10),
    Column("planned_end", "Planned end", "计划解除", width=12),
    Column("status", "Status", "状态", width=12),
    Column("end_date", "End date", "结束日期", width=12),
    Column("end_note", "Reason for ending", "结束原因", width=24),
    Column("ended_by", "Ended by", "经办人"),
]


def isolation_rows(cases):
    """One row per case (one person-time), in ISOLATION_COLUMNS' order; personal data masked."""
    for case in cases.iterator(chunk_size=500):
        place = case.place_label
        if case.transferred_to:
            place = f"{place} → {case.transferred_to}"
        yield [
            *_person_cells(case.person),
            case.get_place_kind_display(),
            place,
            case.reason,
            case.get_ordered_by_display(),
            case.cdc_reference,
            case.start_date,
            case.policy.days,
            case.planned_end,
            case.get_status_display(),
            case.end_date,
            case.end_note,
            _who(case.ended_by),
        ]


SUMMARY_COLUMNS = [
    Column("table", "Count", "统计", width=28),
    Column("group", "Group", "分组", width=28),
    Column("person_times", "Person-times", "人次", width=10),
]


def summary_rows(summary):
    """The isolation page's counts: under isolation on the day, started in the period; by
    place kind, then by unit."""
    open_title = _("Under isolation on %(day)s") % {"day": summary.day.isoformat()}
    started_title = _("Started from %(start)s to %(end)s") % {
        "start": summary.start.isoformat(),
        "end": summary.end.isoformat(),
    }
    for title, by_place, by_unit in (
        (open_title, summary.open_by_place, summary.open_by_unit),
        (started_title, summary.started_by_place, summary.started_by_unit),
    ):
        for row in by_place:
            yield [title, row["label"], row["count"]]
        yield [title, _("All places"), sum(row["count"] for row in by_place)]
        for row in by_unit:
            yield [title, row["unit"], row["count"]]


CHECK_COLUMNS = [
    Column("name", "Name", "姓名", width=10),
    Column("date", "Date", "日期", width=12),
    Column("slot", "Slot", "时段", width=10),
    Column("temperature", "Temperature (°C)", "体温(°C)", width=10),
    Column("fever", "Fever", "发热", width=8),
    Column("symptoms", "Symptoms", "症状", width=20),
    Column("note", "Note", "备注", width=20),
    Column("by", "By", "测量人"),
    Column("at", "When", "测量时间", width=18),
    Column("current", "Current", "有效", width=8),
    Column("correction_reason", "Reason for the correction", "更正原因", width=24),
]


def _yes(value: bool) -> str:
    return str(_("yes")) if value else ""


def check_rows(checks):
    for check in checks:
        yield [
            check.case.person.name,
            check.date,
            check.get_slot_display(),
            check.temperature,
            _yes(check.is_fever),
            check.symptoms,
            check.note,
            _who(check.by),
            _local(check.at),
            _yes(check.is_current),
            check.correction_reason,
        ]


SHEET_COLUMNS = [
    Column("unit", "Unit", "单位", width=20),
    Column("name", "Name", "姓名", width=10),
    Column("place", "Where", "隔离地点", width=22),
    Column("start_date", "Start date", "开始日期", width=12),
    Column("planned_end", "Planned end", "计划解除", width=12),
    Column("morning", "Morning (°C)", "上午体温", width=10),
    Column("afternoon", "Afternoon (°C)", "下午体温", width=10),
    Column("fever", "Fever", "发热", width=8),
]


def sheet_rows(rows):
    for row in rows:
        case = row.case
        yield [
            case.person.unit.display_name,
            case.person.name,
            case.place_label,
            case.start_date,
            case.planned_end,
            row.morning.temperature if row.morning else None,
            row.afternoon.temperature if row.afternoon else None,
            _yes(row.fever),
        ]


ROOM_COLUMNS = [
    Column("building", "Building", "楼宇", width=18),
    Column("name", "Room", "房间", width=10),
    Column("capacity", "Capacity (beds)", "床位", width=10),
    Column("occupancy", "Occupied", "在住", width=10),
    Column("active", "Active", "启用", width=8),
    Column("note", "Note", "备注", width=24),
]


def room_rows(rooms):
    for room in rooms:
        yield [
            room.building.display_name if room.building_id else "",
            room.name,
            room.capacity,
            room.occupancy,
            _yes(room.is_active),
            room.note,
        ]


POLICY_COLUMNS = [
    Column("effective_from", "Effective from", "生效日期", width=12),
    Column("days", "Days of isolation", "隔离天数", width=12),
    Column("note", "Note", "说明", width=30),
    Column("created_by", "Set by", "设定人"),
]


def policy_rows(policies):
    for policy in policies:
        yield [policy.effective_from, policy.days, policy.note, _who(policy.created_by)]


# ---- incidents ----------------------------------------------------------------------------

INCIDENT_COLUMNS = [
    Column("occurred_at", "Occurred at", "发生时间", width=18),
    Column("kind", "Kind", "类型", width=18),
    Column("severity", "Severity", "级别", width=8),
    Column("place", "Place", "地点", width=20),
    Column("description", "Description", "情况", width=40),
    Column("people", "People involved", "涉及人员", width=24),
    Column("cdc_notified_at", "CDC notified at", "报告疾控时间", width=18),
    Column("status", "Status", "状态", width=10),
    Column("closing_summary", "Closing summary", "处置结果", width=40),
    Column("closed_at", "Closed at", "结案时间", width=18),
]


def incident_rows(incidents):
    for incident in incidents:
        place = incident.place or (incident.area.display_name if incident.area_id else "")
        yield [
            _local(incident.occurred_at),
            incident.get_kind_display(),
            incident.get_severity_display(),
            place,
            incident.description,
            "、".join(person.name for person in incident.people.all()),
            _local(incident.cdc_notified_at),
            incident.get_status_display(),
            incident.closing_summary,
            _local(incident.closed_at),
        ]


ACTION_COLUMNS = [
    Column("at", "When", "时间", width=18),
    Column("kind", "Kind", "类别", width=14),
    Column("text", "What was done", "处置情况", width=50),
    Column("by", "By", "经办人"),
]


def action_rows(actions):
    for action in actions:
        yield [_local(action.at), action.get_kind_display(), action.describe(), _who(action.by)]
