"""Timestamp conversions shared by the codecs.

Requests carry what botocore's serializer wrote (epoch seconds for json, ISO 8601 for query, per the model's
``timestampFormat``); responses must carry what botocore's parser reads back.  Values inside mockrunner are always
tz-aware UTC datetimes.
"""
from __future__ import annotations

import calendar
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def from_epoch(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def parse_text(text: str) -> datetime:
    """ISO 8601 (with or without fraction / offset), epoch seconds as text, or RFC 822; ValueError otherwise."""
    text = text.strip()
    try:
        return from_epoch(float(text))
    except ValueError:
        pass
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        value = parsedate_to_datetime(text)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def to_epoch(value: datetime | float) -> float | int:
    """Epoch seconds, an int when whole (what real App Runner sends) else milliseconds precision."""
    if not isinstance(value, datetime):
        return value
    value = _utc(value)
    seconds = calendar.timegm(value.timetuple())
    if value.microsecond:
        return seconds + round(value.microsecond / 1_000_000, 3)
    return seconds


def to_iso8601(value: datetime | float) -> str:
    """``2024-05-01T12:00:00Z``; milliseconds only when present, as AWS query services answer."""
    if not isinstance(value, datetime):
        value = from_epoch(value)
    value = _utc(value)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_rfc822(value: datetime | float) -> str:
    if not isinstance(value, datetime):
        value = from_epoch(value)
    return _utc(value).strftime("%a, %d %b %Y %H:%M:%S GMT")


#: ``timestampFormat`` trait -> serializer for responses
FORMATTERS = {"iso8601": to_iso8601, "unixTimestamp": to_epoch, "rfc822": to_rfc822}
