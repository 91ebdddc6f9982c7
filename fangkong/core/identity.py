"""Person numbers, national ID numbers (GB 11643-1999) and phone numbers: normalising,
validation and masking."""

import datetime
import re
import string
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")
PHONE_PATTERN = re.compile(r"^\+?[0-9]{7,15}$")
# Full-width digits and letters, as a Chinese input method types them, read as ASCII.
FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# A person number (学工号) is what a pass token carries and a gate types: ASCII only.
PERSON_NUMBER_PATTERN = re.compile(r"[A-Z0-9-]+")
# Dashes NFKC leaves as they are, which a Chinese input method types for "-".
DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)


def normalise_person_number(value) -> str:
    """A person number as the registry keeps it: NFKC (full-width Ｔ２０２５ is T2025, as an
    input method types it), every dash a hyphen, no white space, ASCII letters upper case.

    Only ASCII letters are upper-cased: str.upper() would turn a Turkish dotless ı into I
    and let a look-alike through. What is still not ASCII is for validate_person_number
    to refuse."""
    if isinstance(value, str) and value.isascii() and value.isalnum():
        return value.upper()  # the usual case, and an import's 50,000 rows: no NFKC needed
    text = unicodedata.normalize("NFKC", str(value or "")).translate(DASHES)
    return "".join(text.split()).translate(ASCII_UPPER)


def person_number_problem(value: str) -> str | None:
    """What is wrong with a normalised person number, or None."""
    if PERSON_NUMBER_PATTERN.fullmatch(value):
        return None
    bad = "".join(dict.fromkeys(c for c in value if not PERSON_NUMBER_PATTERN.fullmatch(c)))
    return _(
        "A person number has only letters A–Z, digits and hyphens (-); “%(value)s” also "
        "has “%(characters)s”."
    ) % {"value": value, "characters": bad}


def validate_person_number(value: str) -> None:
    """The model's rule: a stored person number is already normalised and ASCII."""
    problem = person_number_problem(normalise_person_number(value))
    if problem:
        raise ValidationError(problem, code="person_number_format")


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def normalise_national_id(value: str) -> str:
    return (value or "").translate(FULL_WIDTH).strip().upper().replace(" ", "")


def validate_national_id(value: str) -> None:
    value = normalise_national_id(value)
    if not ID_PATTERN.match(value):
        raise ValidationError(
            _("An ID number has 17 digits and a final digit or X (18 characters)."),
            code="id_format",
        )
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date inside this ID number does not exist."), code="id_birth_date"
        ) from None
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The ID number's check digit is wrong: please check it for a typing error."),
            code="id_check_digit",
        )


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s\-()]", "", (value or "").translate(FULL_WIDTH))


def validate_phone(value: str) -> None:
    if not PHONE_PATTERN.match(normalise_phone(value)):
        raise ValidationError(
            _("A phone number has 7 to 15 digits (an optional + in front)."), code="phone_format"
        )


def mask_national_id(value: str) -> str:
    """6101**********1234: the region and the last four, enough to tell two people apart."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
