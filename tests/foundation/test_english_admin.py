"""The admin for organiser text in two languages (issue 14): French and English side by side, the sessions and
speakers whose English is missing, and the count of such texts on the edition's page."""

import lxml.html
import pytest
from django.urls import reverse

from tests.factories import add_speaker, make_congress, make_session, make_speaker, make_track
from tests.foundation.browser import open_form

pytestmark = pytest.mark.django_db


def test_session_form_has_french_and_english_side_by_side(organiser_client):
    session = make_session(title="Moderniser les usines")

    url = reverse("admin:congress_session_change", args=[session.pk])
    page = lxml.html.fromstring(organiser_client.get(url).content)

    line = page.xpath('//input[@name="title_fr"]/ancestor::div[contains(@class, "form-row")]')[0]
    assert line.xpath('.//input[@name="title_en"]')  # same line of the form
    assert page.xpath('//input[@name="title_fr"]/@value') == ["Moderniser les usines"]
    assert page.xpath('//textarea[@name="abstract_en"]')
    assert page.xpath("//script[not(@src)]") == page.xpath('//script[@type="application/json"]')  # no inline code


def test_english_is_optional_and_french_required(organiser_client):
    session = make_session(title="Moderniser les usines")
    url = reverse("admin:congress_session_change", args=[session.pk])
    form = open_form(organiser_client, url)

    refused = organiser_client.post(url, {**form, "title_fr": [""], "title_en": ["Modernising plants"]})
    saved = organiser_client.post(url, {**form, "title_en": ["Modernising plants"]})

    session.refresh_from_db()
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    assert saved.status_code == 302
    assert (session.title_fr, session.title_en) == ("Moderniser les usines", "Modernising plants")


def test_english_missing_filter_on_sessions_and_speakers(organiser_client):
    congress = make_congress()
    translated = make_session(congress, title="Moderniser", abstract="")
    translated.title_en = "Modernising"
    translated.save()
    missing = make_session(congress, title="Table ronde", abstract="")
    done = make_speaker(name="Ada Done", job_title="Ingénieure", job_title_en="Engineer")
    todo = make_speaker(name="Bob Todo", biography="Chimiste.")

    sessions = organiser_client.get(reverse("admin:congress_session_changelist"), {"english": "missing"})
    speakers = organiser_client.get(reverse("admin:speakers_speaker_changelist"), {"english": "missing"})

    assert list(sessions.context["cl"].queryset) == [missing]
    assert list(speakers.context["cl"].queryset) == [todo]
    assert done not in speakers.context["cl"].queryset and translated not in sessions.context["cl"].queryset
    assert "English missing" in sessions.content.decode()


def test_edition_page_counts_the_texts_without_english(organiser_client):
    congress = make_congress(name="Congrès", description="Deux jours.")  # name and description: 2
    congress.name_en = "Congress"
    congress.save()  # description: 1
    make_track(congress, name="Stratégie")  # 2
    session = make_session(congress, title="Moderniser", abstract="Résumé.")  # room name, title, abstract: 5
    add_speaker(session, make_speaker(job_title="Ingénieur"))  # 6

    page = organiser_client.get(reverse("admin:congress_congress_change", args=[congress.pk])).content
    shown = lxml.html.fromstring(page).xpath('//div[contains(@class, "field-english_missing_count")]//div')

    assert shown[-1].text_content().strip() == "6"
