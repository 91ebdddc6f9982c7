"""Check-ins to and from .xlsx: the import template's columns, reading a cell's date,
boolean, temperature and symptoms, and the rows of the day's export.

Reading the sheet and the all-or-nothing write are in services.import_checkins.
"""

import datetime
import io
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from fangkong.core.people_import import choice_lookup
from fangkong.reporting.models import Symptom
from fangkong.spreadsheets import Column

COLUMNS = [
    Column("person_number", "Person number", "人员编号", required=True),
    Column("date", "Date", "日期", required=True, width=12),
    Column("temperature", "Temperature (°C)", "体温(°C)", required=True, width=10),
    Column("symptoms", "Symptoms", "症状", width=20),
    Column("current_province", "Current province", "所在省份", required=True),
    Column("current_city", "Current city", "所在城市", required=True),
    Column("on_campus", "On campus", "是否在校", required=True, width=10),
    Column(
        "contact_with_region_of_concern",
        "Contact with a region of concern",
        "是否接触重点地区人员",
        required=True,
        width=12,
    ),
    Column("note", "Note", "备注", width=24),
]
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}

EXPORT_COLUMNS = [
    Column("person_number", "Person number", "人员编号"),
    Column("name", "Name", "姓名", width=10),
    Column("unit", "Unit", "所在单位", width=22),
    Column("date", "Date", "日期", width=12),
    Column("temperature", "Temperature (°C)", "体温(°C)", width=10),
    Column("symptoms", "Symptoms", "症状", width=20),
    Column("current_province", "Current province", "所在省份"),
    Column("current_city", "Current city", "所在城市"),
    Column("on_campus", "On campus", "是否在校", width=10),
    Column(
        "contact_with_region_of_concern", "Contact with a region of concern", "是否接触重点地区人员"
    ),
    Column("is_abnormal", "Abnormal", "是否异常", width=10),
    Column("note", "Note", "备注", width=24),
    Column("channel", "Channel", "填报方式", width=12),
    Column("entered_by", "Entered by", "填报人", width=12),
    Column("entered_at", "Entered at", "填报时间", width=18),
]

# How the office writes yes and no in a sheet, in either language.
TRUE_WORDS = {"是", "有", "在校", "yes", "y", "true", "1", "√", "✓"}
FALSE_WORDS = {"否", "无", "没有", "不在校", "no", "n", "false", "0", "×", "✗"}
NO_SYMPTOMS = {"", "无", "none", "no", "-", "—"}
# Chinese names of the symptoms as the office writes them (the UI's labels come from the
# translation catalogue; these are the forms people type into a sheet).
SYMPTOM_ALIASES = {
    "发热": Symptom.FEVER,
    "发烧": Symptom.FEVER,
    "咳嗽": Symptom.COUGH,
    "干咳": Symptom.COUGH,
    "乏力": Symptom.FATIGUE,
    "咽痛": Symptom.SORE_THROAT,
    "咽喉痛": Symptom.SORE_THROAT,
    "气促": Symptom.SHORTNESS_OF_BREATH,
    "呼吸困难": Symptom.SHORTNESS_OF_BREATH,
    "胸闷": Symptom.SHORTNESS_OF_BREATH,
    "腹泻": Symptom.DIARRHOEA,
    "味觉嗅觉减退": Symptom.LOSS_OF_TASTE_OR_SMELL,
    "嗅觉味觉减退": Symptom.LOSS_OF_TASTE_OR_SMELL,
    "味觉减退": Symptom.LOSS_OF_TASTE_OR_SMELL,
    "嗅觉减退": Symptom.LOSS_OF_TASTE_OR_SMELL,
    "其他": Symptom.OTHER,
    "diarrhea": Symptom.DIARRHOEA,
}
SYMPTOM_SEPARATORS = re.compile(r"[、,，;；/\s]+")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def header(key: str) -> str:
    column = COLUMN_BY_KEY[key]
    return column.zh if (translation.get_language() or "").startswith("zh") else column.en


def parse_bool(text: str) -> bool | None:
    """True, False, or None when the cell says neither."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def parse_date(text: str, numeric: bool) -> datetime.date | None:
    """A date typed as text (2020-01-23, 2020/1/23, 2020年1月23日) or an Excel date serial."""
    text = text.strip()
    if numeric:
        try:
            serial = int(float(text))
        except ValueError:
            return None
        if not 1 <= serial <= 2958465:  # Excel's dates end on 9999-12-31
            return None
        return EXCEL_EPOCH + datetime.timedelta(days=serial)
    text = text.split(" ")[0].split("T")[0]  # a date-time cell: the day is enough
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_temperature(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().removesuffix("°C").removesuffix("℃").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def symptom_lookup() -> dict[str, str]:
    return choice_lookup(Symptom) | {key.lower(): value for key, value in SYMPTOM_ALIASES.items()}


def parse_symptoms(text: str, lookup: dict[str, str]) -> tuple[list[str], list[str]]:
    """(symptom codes, words not understood) of a cell such as "发热、咳嗽"."""
    if text.strip().lower() in NO_SYMPTOMS:
        return [], []
    codes, unknown = [], []
    for word in SYMPTOM_SEPARATORS.split(text.strip()):
        if not word or word.lower() in NO_SYMPTOMS:
            continue
        code = lookup.get(word.lower())
        if code is None:
            unknown.append(word)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def template_workbook() -> bytes:
    """The import template: headers in the user's language, the person number and date as
    text, and a second sheet saying what each column takes."""
    chinese = (translation.get_language() or "").startswith("zh")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Check-ins")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.zh if chinese else column.en)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = column.width
        if column.key in ("person_number", "date"):
            for row in range(2, 2002):
                sheet.cell(row=row, column=index).number_format = "@"
    notes = workbook.create_sheet(_("Allowed values"))
    notes.append([_("Column"), _("Allowed values")])
    notes.append([header("date"), _("The day, e.g. 2020-01-23; not in the future")])
    notes.append([header("temperature"), _("34.0 to 43.0, one decimal place")])
    notes.append(
        [
            header("symptoms"),
            "、".join(str(label) for _value, label in Symptom.choices)
            + " — "
            + _("several separated by 、 or a comma; empty for none"),
        ]
    )
    for key in ("on_campus", "contact_with_region_of_concern"):
        notes.append([header(key), _("是 or 否 (yes or no)")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_rows(checkins):
    """Rows of the day's export, in EXPORT_COLUMNS' order."""
    yes, no = _("yes"), _("no")
    for checkin in checkins.iterator(chunk_size=2000):
        entered_at = timezone.localtime(checkin.entered_at).replace(tzinfo=None)
        yield [
            checkin.person.person_number,
            checkin.person.name,
            checkin.person.unit.display_name,
            checkin.date,
            checkin.temperature,
            "、".join(checkin.symptom_labels),
            checkin.current_province,
            checkin.current_city,
            yes if checkin.on_campus else no,
            yes if checkin.contact_with_region_of_concern else no,
            yes if checkin.is_abnormal else no,
            checkin.note,
            checkin.get_channel_display(),
            checkin.entered_by.get_full_name() or checkin.entered_by.username,
            entered_at.replace(microsecond=0),
        ]
