"""Plain factory helpers: explicit defaults, fixed aware datetimes, overrides as keyword arguments."""

import datetime as dt
import functools
import itertools
import zoneinfo

from django.conf import settings
from django.utils import translation

from congress.models import Congress, Organisation, Participation, Room, Session, Track, Venue
from congress.programme import generate_programme
from speakers.models import SessionSpeaker, Speaker

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
_sequence = itertools.count(1)


def paris(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


# Organiser text goes into the French fields (title_fr…), whatever language a test has active.
def in_french(function):
    @functools.wraps(function)
    def in_the_default_language(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return in_the_default_language


@in_french
def make_venue(**overrides) -> Venue:
    fields = {
        "name": "Palais des Congrès de Tours",
        "street_address": "26 boulevard Heurteloup",
        "postcode": "37000",
        "city": "Tours",
        "latitude": "47.391900",
        "longitude": "0.693300",
    }
    return Venue.objects.create(**(fields | overrides))


@in_french
def make_room(venue: Venue | None = None, **overrides) -> Room:
    number = next(_sequence)
    fields = {"name": f"Salle {number}", "slug": f"salle-{number}", "capacity": 100, "position": number}
    return Room.objects.create(venue=venue or make_venue(), **(fields | overrides))


@in_french
def make_congress(**overrides) -> Congress:
    number = next(_sequence)
    fields = {
        "edition": 9,
        "name": f"Congrès d'essai {number}",
        "slug": f"congres-essai-{number}",
        "prefix": f"essai-{number}",
        "is_published": True,
        "acronym": f"essai{number}",
        "start_date": dt.date(2025, 3, 19),
        "end_date": dt.date(2025, 3, 20),
        "time_zone": "Europe/Paris",
        "is_current": True,
    }
    fields |= overrides
    if "venue" not in fields:
        fields["venue"] = make_venue()
    return Congress.objects.create(**fields)


@in_french
def make_track(congress: Congress, **overrides) -> Track:
    number = next(_sequence)
    return Track.objects.create(
        congress=congress, **({"name": f"Track {number}", "slug": f"track-{number}"} | overrides)
    )


@in_french
def make_organisation(**overrides) -> Organisation:
    number = next(_sequence)
    return Organisation.objects.create(
        **({"name": f"Organisation {number}", "slug": f"organisation-{number}"} | overrides)
    )


@in_french
def make_participation(congress: Congress, organisation: Organisation | None = None, **overrides) -> Participation:
    fields = {"role": Participation.Role.PARTNER} | overrides
    if fields["role"] == Participation.Role.PARTNER:
        fields.setdefault("tier", Participation.Tier.PREMIUM)
    return Participation.objects.create(congress=congress, organisation=organisation or make_organisation(), **fields)


@in_french
def make_session(congress: Congress | None = None, **overrides) -> Session:
    number = next(_sequence)
    congress = congress or make_congress()
    starts_at = overrides.pop("starts_at", paris(2025, 3, 19, 10))
    fields = {
        "title": f"Session {number}",
        "slug": f"session-{number}",
        "abstract": "Un résumé.",
        "starts_at": starts_at,
        "ends_at": starts_at + dt.timedelta(minutes=45),
        "status": Session.Status.PUBLISHED,
    }
    fields |= overrides
    if "room" not in fields:
        fields["room"] = make_room(congress.venue)
    return Session.objects.create(congress=congress, **fields)


@in_french
def make_speaker(**overrides) -> Speaker:
    number = next(_sequence)
    return Speaker.objects.create(**({"name": f"Personne{number} Essai", "slug": f"personne-{number}"} | overrides))


@in_french
def add_speaker(session: Session, speaker: Speaker | None = None, **overrides) -> SessionSpeaker:
    return SessionSpeaker.objects.create(session=session, speaker=speaker or make_speaker(), **overrides)


@in_french
def make_programme(sessions: int, **options) -> Congress:
    """A whole synthetic programme (the same generator as `generate_programme` and the benchmark)."""
    return generate_programme(sessions, **options)
