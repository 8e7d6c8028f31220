"""The congress app's models, one module per part of the domain; `from congress.models import X` for each."""

from congress.models.agendas import Agenda, RetiredAgendaToken, Star
from congress.models.edition import Congress, CongressQuerySet, Room, Venue, validate_time_zone
from congress.models.organisations import Organisation, Participation
from congress.models.programme import Session, SessionQuerySet, Track
from congress.models.records import ProgrammeVersion, SeedRecord

__all__ = [
    "Agenda",
    "Congress",
    "CongressQuerySet",
    "Organisation",
    "Participation",
    "ProgrammeVersion",
    "RetiredAgendaToken",
    "Room",
    "SeedRecord",
    "Session",
    "SessionQuerySet",
    "Star",
    "Track",
    "Venue",
    "validate_time_zone",
]
