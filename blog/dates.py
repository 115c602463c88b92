"""Date formats the blog shows whatever the UI language: `6 Jul`, `Jul. 21, 2019`."""

from django.utils import timezone

MONTH_ABBREVIATIONS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def english_month(value):
    """Return the English abbreviation of a datetime's month in the site's time zone."""
    return MONTH_ABBREVIATIONS[timezone.localtime(value).month - 1]
