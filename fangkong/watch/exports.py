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

LEDGER_COLUMNS = [
    Column("unit", "Unit", "单位", width=20),
    Column("person_number", "Person number", "人员编号"),
    Column("name", "Name", "姓名", width=10),
    Column("person_category", "Person category", "人员类别"),
    Column("national_id", "ID number", "身份证号", width=20),
    Column("phone", "Phone", "手机号"),
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
        person = entry.person
        yield [
            person.unit.display_name,
            person.person_number,
            person.name,
            person.get_category_display(),
            mask_national_id(person.national_id),
            mask_phone(person.phone),
            entry.get_category_display(),
            entry.region.name if entry.region_id else "",
            entry.reason,
            entry.listed_on,
            entry.monitoring_until,
            _who(entry.responsible),
            entry.get_status_display(),
            _who(entry.verified_by),
            timezone.localtime(entry.verified_at).replace(tzinfo=None)
            if entry.verified_at
            else None,
            entry.cleared_on,
            entry.clear_reason,
        ]


def _text_not_formulas(sheet) -> None:
    # A unit named "=…" is text, not a formula for Excel to run.
    for (cell,) in sheet.iter_rows(min_col=1, max_col=1):
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


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
            row += [cell.due, cell.followed_up, float(cell.rate) if cell.rate is not None else None]
        grid.append(row)
    school = [_("Whole school")]
    for cell in [*table.school, table.total]:
        school += [cell.due, cell.followed_up, float(cell.rate) if cell.rate is not None else None]
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
            rate = float(cell.rate) if cell.rate is not None else None
            long.append([unit.display_name, day, cell.due, cell.followed_up, rate])
    for row in long.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "yyyy-mm-dd"
    _text_not_formulas(long)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    name = f"compliance-{table.days[0]:%Y%m%d}-{table.days[-1]:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
