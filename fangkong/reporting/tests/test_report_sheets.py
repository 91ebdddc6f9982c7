"""The unit daily reports as .xlsx: the consolidated daily table in the office's customary
layout (merged title, who compiled it, numbered rows, abnormal rows in light red, the total
in bold), the completeness table with its rates, and the list of reports."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from fangkong.reporting import report_sheets, selectors, services
from fangkong.reporting.tests.conftest import at, good_answers
from fangkong.testing.factories import PersonFactory, UnitFactory

pytestmark = pytest.mark.django_db

ZERO = {"natives": 0, "in_region": 0, "people": 0, "flagged": 0}
LIGHT_RED = "00FFC7CE"


@pytest.fixture
def units(unit, other_unit):
    third = UnitFactory(code="env", name="环境学院", name_en="School of Environment")
    return [unit, other_unit, third]


@pytest.fixture
def day_table(report_definition, office, units, today):
    """The day's table: arch reported with a flagged check-in (abnormal), civil reported
    on time with nothing to remark, env not reported (abnormal)."""
    arch, civil, _env = units
    people = PersonFactory.create_batch(3, unit=arch)
    services.submit_checkin(office, people[0], **good_answers(temperature=Decimal("38.4")))
    services.submit_checkin(office, people[1], **good_answers())
    services.create_report(
        office,
        arch,
        today,
        values={"natives": 2, "in_region": 1, "people": 3, "flagged": 1},
        submit=True,
        now=at(today, 9),
    )
    services.create_report(office, civil, today, values=ZERO, submit=True, now=at(today, 8))
    return selectors.consolidated(office, today)


def opened(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def row_values(sheet, row: int) -> list:
    return [cell.value for cell in sheet[row]]


def fill_of(cell) -> str | None:
    return cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None


def consolidated(table, *, chinese=True, school_name="西安建筑科技大学", compiler="张三"):
    return report_sheets.consolidated_workbook(
        table, compiler=compiler, chinese=chinese, school_name=school_name
    )


def test_the_consolidated_table_has_a_merged_title_and_who_compiled_it(day_table, today):
    response = consolidated(day_table)
    assert response["Content-Disposition"] == (
        f'attachment; filename="consolidated-{today.isoformat()}.xlsx"'
    )
    sheet = opened(response)
    assert "A1:J1" in {str(merged) for merged in sheet.merged_cells.ranges}  # 2 + 4 figures + 4
    assert sheet["A1"].value == "西安建筑科技大学疫情防控每日汇总表"
    assert sheet["A1"].font.bold
    row2 = [value for value in row_values(sheet, 2) if value]
    assert row2 == ["填报单位：防控办", "填报人：张三", f"日期：{today.isoformat()}"]


def test_the_consolidated_table_header_and_numbered_rows_in_chinese(day_table):
    sheet = opened(consolidated(day_table))
    assert row_values(sheet, 3) == [
        "序号",
        "单位",
        "籍贯重点地区",
        "现在重点地区",
        "单位人数",
        "异常打卡",
        "打卡人数/人数",
        "异常打卡",
        "状态",
        "备注",
    ]
    assert all(cell.font.bold for cell in sheet[3])
    assert [sheet.cell(row=row, column=1).value for row in (4, 5, 6)] == [1, 2, 3]
    arch, civil, env = (row_values(sheet, row) for row in (4, 5, 6))
    assert arch[1:8] == ["建筑学院", 2, 1, 3, 1, "2/3", 1]
    assert civil[1:8] == ["土木工程学院", 0, 0, 0, 0, "0/0", 0]
    assert civil[9] is None  # nothing to remark
    assert env[1:8] == ["环境学院", None, None, None, None, "0/0", 0]
    assert env[8] == "未上报"
    assert sheet.column_dimensions["B"].width == 24
    assert sheet["A4"].border.left.style == "thin"


def test_abnormal_rows_are_light_red_and_normal_rows_are_not(day_table):
    sheet = opened(consolidated(day_table))
    arch_row, civil_row, env_row = day_table.rows
    assert (arch_row.abnormal, civil_row.abnormal, env_row.abnormal) == (True, False, True)
    assert {fill_of(cell) for cell in sheet[4]} == {LIGHT_RED}
    assert {fill_of(cell) for cell in sheet[5]} == {None}
    assert {fill_of(cell) for cell in sheet[6]} == {LIGHT_RED}
    assert sheet["J6"].value == "not reported"  # the selector's words, as it gave them
    problems = "；".join(str(problem) for problem in arch_row.problems)
    assert sheet["J4"].value == problems and "1 flagged check-in" in problems


def test_the_total_row_is_bold_at_the_bottom(day_table):
    sheet = opened(consolidated(day_table))
    assert sheet.max_row == 7
    total = row_values(sheet, 7)
    assert total[0] == "合计"
    assert total[2:8] == [2, 1, 3, 1, "2/3", 1]
    assert total[8] == "已报 2/3"
    assert all(cell.font.bold for cell in sheet[7] if cell.coordinate != "B7")  # B7: merged
    assert "A7:B7" in {str(merged) for merged in sheet.merged_cells.ranges}


def test_the_consolidated_table_in_english(day_table, today):
    sheet = opened(consolidated(day_table, chinese=False, school_name="XAUAT", compiler="Li"))
    assert sheet["A1"].value == "XAUAT daily prevention & control table"
    row2 = [value for value in row_values(sheet, 2) if value]
    assert row2 == [
        "Reporting unit: Prevention & control office",
        "Compiled by: Li",
        f"Date: {today.isoformat()}",
    ]
    assert row_values(sheet, 3) == [
        "No.",
        "Unit",
        "Natives of a region",
        "In a region now",
        "People of the unit",
        "Flagged check-ins",
        "Checked in / headcount",
        "Flagged check-ins",
        "Status",
        "Problems",
    ]
    assert sheet["B4"].value == "College of Architecture"
    assert sheet["I6"].value == "Not reported"
    assert sheet["A7"].value == "Total"


def test_without_a_school_name_the_title_is_the_rest(day_table):
    assert opened(consolidated(day_table, school_name=""))["A1"].value == "疫情防控每日汇总表"
    english = opened(consolidated(day_table, chinese=False, school_name=""))
    assert english["A1"].value == "Daily prevention & control table"


def test_text_that_looks_like_a_formula_is_written_as_text(report_definition, office, today):
    UnitFactory(code="odd", name='=HYPERLINK("http://x","y")', name_en="")
    table = selectors.consolidated(office, today)
    response = consolidated(table, compiler="=1+1")
    sheet = opened(response)
    assert sheet["B4"].value == '=HYPERLINK("http://x","y")'
    assert sheet["B4"].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


# ---- completeness -------------------------------------------------------------------------


@pytest.fixture
def period_table(report_definition, office, units, today):
    arch, civil, env = units
    yesterday = today - datetime.timedelta(days=1)
    services.create_report(office, arch, yesterday, values=ZERO, submit=True, now=at(yesterday, 9))
    services.create_report(office, arch, today, values=ZERO, submit=True, now=at(today, 11))
    report = services.create_report(
        office, civil, yesterday, values=ZERO, submit=True, now=at(yesterday, 8)
    )
    services.approve_report(office, report)
    services.create_report(office, env, today, values=ZERO)
    return selectors.completeness(office, yesterday, today)


def test_completeness_cells_and_rates(period_table, today):
    yesterday = today - datetime.timedelta(days=1)
    response = report_sheets.completeness_workbook(period_table, chinese=False)
    assert response["Content-Disposition"] == (
        f'attachment; filename="completeness-{yesterday.isoformat()}-{today.isoformat()}.xlsx"'
    )
    sheet = opened(response)
    assert "A1:F1" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert row_values(sheet, 2) == [
        "Unit",
        f"{yesterday:%m-%d}",
        f"{today:%m-%d}",
        "Reported / expected",
        "Reporting rate %",
        "Timely rate %",
    ]
    assert row_values(sheet, 3) == [
        "College of Architecture",
        "Submitted ✓",
        "Submitted (late)",
        "2/2",
        100.0,
        50.0,
    ]
    assert row_values(sheet, 4) == [
        "School of Civil Engineering",
        "Approved ✓",
        None,
        "1/2",
        50.0,
        50.0,
    ]
    assert row_values(sheet, 5) == ["School of Environment", None, "Draft", "0/2", 0.0, 0.0]
    assert row_values(sheet, 6) == ["Reporting rate % of the day", 66.7, 33.3, "3/6", 50.0, 33.3]
    assert row_values(sheet, 7)[:3] == ["Timely rate % of the day", 66.7, 0.0]
    assert sheet["E6"].number_format == "0.0"
    assert sheet["A8"].value == "Total: 6 expected, 3 reported, 2 on time, 1 approved"
    assert all(cell.font.bold for cell in sheet[6])


def test_completeness_in_chinese(period_table):
    sheet = opened(report_sheets.completeness_workbook(period_table, chinese=True))
    assert sheet["A1"].value.startswith("单位日报上报情况")
    headers = row_values(sheet, 2)
    assert (headers[0], headers[-3:]) == ("单位", ["已报/应报", "上报率%", "及时率%"])
    assert sheet["A3"].value == "建筑学院"
    assert sheet["C3"].value.endswith("（迟报）")
    assert sheet["A8"].value == "合计：应报 6，已报 3，按时 2，已审核 1"


# ---- the list of reports ------------------------------------------------------------------


def test_the_reports_list(report_definition, office, units, today):
    arch, civil, _env = units
    report = services.create_report(office, arch, today, values=ZERO, submit=True, now=at(today, 9))
    services.approve_report(office, report, now=at(today, 9, 30))
    services.submit_nil_report(office, civil, today, now=at(today, 10, 30))
    reports = selectors.reports_for(office, {"day": today}).rows

    sheet = opened(report_sheets.reports_workbook(reports, chinese=False))
    assert row_values(sheet, 1) == [
        "Unit",
        "Date",
        "Status",
        "Nothing to report",
        "First submitted at",
        "On time",
        "Approved by",
        "Approved at",
    ]
    assert row_values(sheet, 2) == [
        "College of Architecture",
        datetime.datetime.combine(today, datetime.time()),
        "Approved",
        "no",
        datetime.datetime.combine(today, datetime.time(9)),
        "yes",
        office.get_full_name() or office.username,
        datetime.datetime.combine(today, datetime.time(9, 30)),
    ]
    civil_row = row_values(sheet, 3)
    assert civil_row[:4] == ["School of Civil Engineering", civil_row[1], "Submitted", "yes"]
    assert civil_row[5:] == ["no", None, None]

    chinese = opened(report_sheets.reports_workbook(reports, chinese=True))
    assert row_values(chinese, 1)[:3] == ["单位", "日期", "状态"]
    assert chinese["A2"].value == "建筑学院"


def test_one_reports_figures_with_every_version(
    report_definition, officer, office, unit, today, client
):
    from django.urls import reverse

    PersonFactory.create_batch(2, unit=unit)
    report = services.create_report(
        officer,
        unit,
        today,
        values={"natives": 3, "in_region": 1, "people": 2, "flagged": 0},
        submit=True,
    )
    services.correct_report_value(office, report, report_definition["natives"], 4, "roster")
    client.force_login(office)
    sheet = opened(client.get(reverse("reporting:report-export", args=[report.pk])))
    assert row_values(sheet, 1)[:4] == ["Figure", "Reported", "Records say", "Difference"]
    natives = [
        row
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[0] == ("Natives of a region")
    ]
    assert [(row[1], row[4], row[7], row[8]) for row in natives] == [
        (3, "Officer's figure", None, "no"),
        (4, "Office's correction", "roster", "yes"),
    ]
    people = next(
        row
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[0] == ("People of the unit")
    )
    assert people[1:3] == (2, 2)


def test_an_officer_cannot_download_another_units_report(
    report_definition, office, make_user, other_unit, today, client
):
    from django.urls import reverse

    from fangkong.core.roles import Role

    report = services.create_report(office, other_unit, today, values=ZERO, submit=True)
    client.force_login(make_user(Role.OFFICER, unit=UnitFactory(code="x")))
    assert client.get(reverse("reporting:report-export", args=[report.pk])).status_code == 404


def test_the_report_definition_in_chinese(report_definition, office, client):
    from django.urls import reverse

    client.force_login(office)
    client.cookies["django_language"] = "zh-hans"
    response = client.get(reverse("reporting:report-fields-export"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    sheet = opened(response)
    assert row_values(sheet, 1)[:3] == ["类别", "代码", "名称（中文）"]
    codes = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes[:4] == ["natives", "in_region", "people", "flagged"]
    rules = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == "规则"]
    assert rules[0][2] == "现在重点地区人数不得多于籍贯人数"
