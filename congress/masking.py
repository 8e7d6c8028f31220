"""Agenda tokens out of the logs: a personal agenda's address holds its private token (/agenda/<token>.ics,
/agenda/attach/<token>/, and under /en/). Free of Django imports: gunicorn's master reads it for its own logs
(congress/gunicorn.conf.py) before the application loads, and Django's LOGGING uses the same filter."""

import logging
import re

AGENDA_TOKEN = re.compile(r"(/agenda/(?:attach/)?)(?!reset/|state/)[^/\s?#\"'.]+")
MASK = "[token]"


def mask_agenda_tokens(value):
    """`value` with every agenda token masked; anything but a string as it is (gunicorn's log atoms)."""
    if not isinstance(value, str) or "/agenda/" not in value:
        return value
    return AGENDA_TOKEN.sub(rf"\g<1>{MASK}", value)


class MaskAgendaTokens(logging.Filter):
    """A record that mentions a personal agenda address is written with the token masked, traceback included."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/agenda/" in message:
            record.msg, record.args = mask_agenda_tokens(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_text = mask_agenda_tokens(record.exc_text)
        return True
