"""A synthetic, clearly fictitious congress edition for tests, demos and benchmarks.

Deterministic for a given size: the same call builds the same programme (titles, times, rooms, speakers).
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import translation

from congress.models import (
    Congress,
    Organisation,
    Participation,
    ProgrammeVersion,
    Room,
    Session,
    Track,
    Venue,
)

DAYS = 3
SLOTS_PER_DAY = 20  # 30-minute slots from 08:30
FIRST_SLOT = dt.time(8, 30)
SLOT = dt.timedelta(minutes=30)
TRACK_NAMES = ["Procédés", "Qualité", "Numérique", "Talents"]
KIND_CYCLE = [
    Session.Kind.TALK,
    Session.Kind.TALK,
    Session.Kind.ROUND_TABLE,
    Session.Kind.TALK,
    Session.Kind.WORKSHOP,
    Session.Kind.KEYNOTE,
]
TOPICS = [
    "culture cellulaire",
    "purification continue",
    "usage unique",
    "jumeaux numériques",
    "thérapie génique",
    "contrôle qualité",
    "chaîne du froid",
    "vaccins à ARNm",
]


@dataclass(frozen=True)
class ProgrammeSize:
    sessions: int

    @property
    def rooms(self) -> int:
        return max(2, math.ceil(self.sessions / (DAYS * SLOTS_PER_DAY)))

    @property
    def speakers(self) -> int:
        return max(1, self.sessions * 2 // 3)

    @property
    def organisations(self) -> int:
        return 6 + self.sessions // 50


def fictitious_slug(sessions: int) -> str:
    return f"programme-fictif-{sessions}"


@transaction.atomic
@translation.override(settings.LANGUAGE_CODE)  # the organisers' text goes into the French fields
def generate_programme(
    sessions: int,
    *,
    slug: str | None = None,
    start_date: dt.date = dt.date(2031, 3, 18),
    time_zone: str = "Europe/Paris",
    make_current: bool = True,
) -> Congress:
    """Build a fictitious edition of `sessions` published sessions over three days and return it."""
    size = ProgrammeSize(sessions)
    slug = slug or fictitious_slug(sessions)
    venue = Venue.objects.create(
        name=f"Centre de congrès fictif ({slug})",
        street_address="1 rue de l'Exemple",
        postcode="00000",
        city="Villefictive",
        latitude="47.000000",
        longitude="1.000000",
    )
    congress = Congress.objects.create(
        edition=99,
        name=f"Congrès fictif de démonstration ({sessions} sessions)",
        slug=slug,
        prefix=slug,
        is_published=True,
        acronym=slug.replace("-", "_"),
        start_date=start_date,
        end_date=start_date + dt.timedelta(days=DAYS - 1),
        time_zone=time_zone,
        venue=venue,
        short_description="Programme synthétique, entièrement fictif, pour les essais et les mesures.",
    )
    rooms = Room.objects.bulk_create(
        Room(
            venue=venue, name=f"Salle {index + 1}", slug=f"salle-{index + 1}", capacity=100 + 50 * index, position=index
        )
        for index in range(size.rooms)
    )
    tracks = Track.objects.bulk_create(
        Track(congress=congress, name=name, slug=f"track-{index + 1}", position=index)
        for index, name in enumerate(TRACK_NAMES)
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Organisation fictive {index + 1}", slug=f"{slug}-org-{index + 1}")
        for index in range(size.organisations)
    )
    Participation.objects.bulk_create(
        [
            Participation(congress=congress, organisation=organisations[0], role=Participation.Role.ORGANISER),
            Participation(congress=congress, organisation=organisations[1], role=Participation.Role.CO_ORGANISER),
        ]
        + [
            Participation(
                congress=congress,
                organisation=organisation,
                role=Participation.Role.PARTNER,
                tier=Participation.TIER_ORDER[index % len(Participation.TIER_ORDER)],
                position=index,
            )
            for index, organisation in enumerate(organisations[2:])
        ]
    )
    # The speakers app depends on congress, not the reverse: its models by name.
    Speaker, SessionSpeaker = apps.get_model("speakers", "Speaker"), apps.get_model("speakers", "SessionSpeaker")
    speakers = Speaker.objects.bulk_create(
        Speaker(
            name=f"Intervenant{index + 1:04d} Fictif",
            sort_name=f"Fictif Intervenant{index + 1:04d}",
            slug=f"{slug}-intervenant-{index + 1}",
            job_title="Responsable de démonstration",
            organisation=organisations[index % len(organisations)],
            biography="Personne fictive créée pour le programme de démonstration.",
        )
        for index in range(size.speakers)
    )
    created = Session.objects.bulk_create(_session(congress, index, rooms, tracks) for index in range(sessions))
    links = []
    for index, session in enumerate(created):
        speaker_index = index % len(speakers)
        links.append(SessionSpeaker(session=session, speaker=speakers[speaker_index], position=0))
        # A moderator for every third session, chosen among people not speaking in that time slot (sessions
        # of one slot are consecutive), so that the programme passes the admin's double-booking check.
        slot_start = index - index % len(rooms)
        busy = {other % len(speakers) for other in range(slot_start, min(slot_start + len(rooms), sessions))}
        moderator_index = (index + len(rooms)) % len(speakers)
        if index % 3 == 0 and moderator_index not in busy:
            links.append(
                SessionSpeaker(
                    session=session,
                    speaker=speakers[moderator_index],
                    role=SessionSpeaker.Role.MODERATOR,
                    position=1,
                )
            )
    SessionSpeaker.objects.bulk_create(links)
    if make_current:
        congress.make_current()
    ProgrammeVersion.bump()  # bulk_create sends no signals
    return congress


def _session(congress: Congress, index: int, rooms: list[Room], tracks: list[Track]) -> Session:
    room = rooms[index % len(rooms)]
    slot = (index // len(rooms)) % SLOTS_PER_DAY
    day = congress.start_date + dt.timedelta(days=index // (len(rooms) * SLOTS_PER_DAY))
    starts_at = dt.datetime.combine(day, FIRST_SLOT, tzinfo=congress.tzinfo) + slot * SLOT
    topic = TOPICS[index % len(TOPICS)]
    return Session(
        congress=congress,
        kind=KIND_CYCLE[index % len(KIND_CYCLE)],
        title=f"Session fictive {index + 1} : {topic}",
        slug=f"session-fictive-{index + 1}",
        abstract=f"Résumé fictif de la session {index + 1}, consacrée à la {topic}.",
        starts_at=starts_at,
        ends_at=starts_at + SLOT,
        room=room,
        track=tracks[index % len(tracks)],
        is_highlighted=index % 25 == 0,
        status=Session.Status.PUBLISHED,
        language=Session.Language.FRENCH if index % 4 else Session.Language.ENGLISH,
    )
