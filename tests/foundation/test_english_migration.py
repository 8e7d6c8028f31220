"""The migration to two languages keeps every existing text as the French version (issue 14)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("congress", "0007_editions_agendas"), ("speakers", "0001_initial")]
AFTER = [("congress", "0008_english_content"), ("speakers", "0002_english_content")]


@pytest.mark.django_db(transaction=True)
def test_existing_texts_become_the_french_versions():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    venue = old.get_model("congress", "Venue").objects.create(name="Palais des Congrès", city="Tours")
    congress = old.get_model("congress", "Congress").objects.create(
        edition=9, name="Congrès", slug="c", acronym="fbp2025", start_date="2025-03-19", end_date="2025-03-20",
        venue=venue, description="Deux jours.",
    )  # fmt: skip
    old.get_model("speakers", "Speaker").objects.create(name="Franck Leroux", slug="fl", biography="Ingénieur.")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps

    migrated = new.get_model("congress", "Congress").objects.get(pk=congress.pk)
    speaker = new.get_model("speakers", "Speaker").objects.get(slug="fl")
    assert (migrated.name_fr, migrated.description_fr, migrated.name_en) == ("Congrès", "Deux jours.", None)
    assert (speaker.biography_fr, speaker.biography_en) == ("Ingénieur.", None)
    assert new.get_model("congress", "Venue").objects.get(pk=venue.pk).name_fr == "Palais des Congrès"
