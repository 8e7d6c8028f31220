"""Small frab files, well-formed or hostile, written by the tests."""

EVENT = """
      <event guid="{guid}" id="{id}">
        <date>{date}</date>
        <start>10:00</start>
        <duration>{duration}</duration>
        <room>Salle Descartes</room>
        <slug>essai-{id}-{slug}</slug>
        <title>{title}</title>
        <track>Procédés</track>
        <type>talk</type>
        <language>fr</language>
        <abstract>Résumé.</abstract>
        <persons><person id="1">Zoé Lefèvre</person>{more_persons}</persons>
      </event>"""


def event(number: int, **overrides) -> str:
    values = {
        "guid": f"00000000-0000-4000-8000-{number:012d}",
        "id": number,
        "date": f"2025-03-19T{9 + number:02d}:00:00+01:00",
        "duration": "00:45",
        "slug": f"session-{number}",
        "title": f"Session {number}",
        "more_persons": "",
    }
    return EVENT.format(**(values | overrides))


def schedule_xml(*events: str, acronym: str = "essai") -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<schedule>
  <version>1</version>
  <conference>
    <title>Essai</title>
    <acronym>{acronym}</acronym>
    <time_zone_name>Europe/Paris</time_zone_name>
  </conference>
  <day index="1" date="2025-03-19">
    <room name="Salle Descartes">{"".join(events)}
    </room>
  </day>
</schedule>
""".encode()


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE schedule [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<schedule><conference><acronym>&secret;</acronym></conference></schedule>
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE schedule [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<schedule><conference><title>&lol3;</title></conference></schedule>
"""
