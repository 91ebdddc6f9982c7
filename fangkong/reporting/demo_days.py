"""The demo's calendar, shared by the check-ins' demo (`demo`) and the unit reports' demo
(`demo_reports`, which runs after every app's demo): the article's history and the live
slice of the last days up to today."""

import datetime

HISTORY_FIRST, HISTORY_LAST = datetime.date(2020, 1, 23), datetime.date(2020, 3, 6)

# The live slice covers the last LIVE_DAYS days up to the school's today, so that the pages'
# default periods (a fortnight of completeness, the day's list) have figures to show. Each
# run of seed_demo fills the days after the last one it seeded, up to today: run again on a
# later day, the demo follows the calendar; run twice the same day, it adds nothing.
LIVE_DAYS = 14


def live_window(today: datetime.date) -> list[datetime.date]:
    """The days of the live slice up to `today`, oldest first (never the article's)."""
    first = max(
        today - datetime.timedelta(days=LIVE_DAYS - 1), HISTORY_LAST + datetime.timedelta(1)
    )
    return [first + datetime.timedelta(days=n) for n in range((today - first).days + 1)]


def days_to_fill(today: datetime.date, seeded) -> list[datetime.date]:
    """The live days after the last one in `seeded` (the days already there), up to today."""
    window = live_window(today)
    done = [day for day in seeded if window and window[0] <= day <= today]
    if done:
        return [day for day in window if day > max(done)]
    return window
