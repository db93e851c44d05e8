"""The one UTC boundary: columns hold naive UTC; people see and type the site's local time.

Every conversion between the two happens here, so no other module calls
``replace(tzinfo=...)`` or ``astimezone``.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def utcnow() -> datetime:
    """The current time as naive UTC, the form every timestamp column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def zone() -> ZoneInfo:
    """The site's time zone (Settings), UTC when it names no zone this machine knows."""
    from blog.core.site import site_settings  # here: the models import this module

    try:
        return ZoneInfo(site_settings().timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def to_local(value: datetime | None) -> datetime | None:
    """A stored naive-UTC time as an aware time in the site's zone."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(zone())


def utc_to_local(value: datetime | None) -> datetime | None:
    """A stored naive-UTC time as naive wall-clock time in the site's zone (form inputs)."""
    local = to_local(value)
    return local.replace(tzinfo=None) if local else None


def local_to_utc(local: datetime, tz: ZoneInfo | None = None) -> datetime:
    """Naive wall-clock time in the site's zone (or ``tz``) as naive UTC."""
    return local.replace(tzinfo=tz or zone()).astimezone(UTC).replace(tzinfo=None)


def as_utc(value: datetime) -> datetime:
    """A stored naive-UTC time, marked as UTC (for formats that carry the zone)."""
    return value.replace(tzinfo=UTC)


def aware_to_utc(value: datetime) -> datetime:
    """A time that may carry a zone (an imported date, say) as naive UTC."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def format_date(value: datetime | date | None) -> str:
    """ "3 March 2026" in the site's zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: datetime | None) -> str:
    """ "3 March 2026, 14:05 CET" in the site's zone."""
    local = to_local(value)
    if local is None:
        return ""
    return f"{local.day} {local:%B %Y, %H:%M} {local.tzname()}"


def zone_abbreviations() -> dict[int, str]:
    """The site zone's abbreviations by UTC offset in minutes, winter and summer, so a
    script can write a time the way format_datetime() does (browsers name zones
    differently)."""
    tz, year = zone(), utcnow().year
    names = {}
    for month in (1, 7):
        moment = datetime(year, month, 1, 12, tzinfo=UTC).astimezone(tz)
        offset = moment.utcoffset()
        names[int(offset.total_seconds() // 60) if offset else 0] = moment.tzname() or ""
    return names


def iso_date(value: datetime | date | None) -> str:
    """ISO 8601 for machines (<time datetime>, feeds, structured data)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC, microsecond=0).isoformat()
    return value.isoformat()
