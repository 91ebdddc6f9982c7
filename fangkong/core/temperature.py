"""The temperature rule every app that takes a body temperature shares: the range a
measured temperature lies in, how precisely it is given, and the threshold at which it
counts as a fever unless the office has set its own (the reporting policy's)."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")
ONE_DECIMAL = Decimal("0.1")
# The fever threshold of a school whose office has not set its own.
DEFAULT_FEVER_THRESHOLD = Decimal("37.3")


def temperature_problem(value) -> tuple[Decimal | None, str | None]:
    """(the temperature as a Decimal of one decimal place, None) or (None, the problem)."""
    if value is None or value == "":
        return None, _("Enter the temperature.")
    if isinstance(value, bool):
        return None, _("The temperature must be a number, e.g. 36.5.")
    try:
        temperature = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return None, _("The temperature must be a number, e.g. 36.5.")
    if not temperature.is_finite() or not TEMPERATURE_MIN <= temperature <= TEMPERATURE_MAX:
        return None, _("The temperature must be between 34.0 and 43.0 °C.")
    rounded = temperature.quantize(ONE_DECIMAL)
    if rounded != temperature:
        return None, _("Give the temperature to one decimal place, e.g. 36.5.")
    return rounded, None


def is_fever(temperature: Decimal, threshold: Decimal) -> bool:
    """A temperature at or above the threshold is a fever."""
    return temperature >= threshold
