"""sitemap.xml: the public pages of every published edition at their permanent addresses (`/2025/…`, the
canonical ones), in French (unprefixed) and English (/en/), and the site's own pages.

Never drafts, never an unpublished edition, never the personal agenda. With `i18n` and `alternates`, each URL
lists its other-language version (hreflang), and `x_default` points search engines to the French one.
"""

from django.apps import apps
from django.contrib import sitemaps
from django.urls import reverse

from congress.edition_urls import edition_reverse
from congress.models import Congress, Session

EDITION_PAGES = ("congress:home", "congress:schedule", "speakers:speaker-list", "congress:partners", "congress:venue")
SITE_PAGES = ("congress:calendar-help", "congress:editions")


class I18nSitemap(sitemaps.Sitemap):
    i18n = True
    alternates = True
    x_default = True


class PageSitemap(I18nSitemap):
    priority = 0.8
    changefreq = "daily"

    def items(self) -> list[tuple[Congress | None, str]]:
        editions = Congress.objects.published().order_by("-start_date")
        return [(edition, page) for edition in editions for page in EDITION_PAGES] + [(None, p) for p in SITE_PAGES]

    def location(self, item: tuple[Congress | None, str]) -> str:
        edition, page = item
        return edition_reverse(edition, page) if edition else reverse(page)


class SessionSitemap(I18nSitemap):
    priority = 0.6
    changefreq = "daily"

    def items(self):
        return list(
            Session.objects.public()
            .filter(congress__in=Congress.objects.published())
            .select_related("congress")
            .only("slug", "modified_at", "congress__prefix")
            .order_by("-congress__start_date", "starts_at", "pk")
        )

    def location(self, session: Session) -> str:
        return edition_reverse(session.congress, "congress:session-detail", slug=session.slug)

    def lastmod(self, session):
        return session.modified_at


class SpeakerSitemap(I18nSitemap):
    priority = 0.5
    changefreq = "weekly"

    def items(self) -> list[tuple[str, str]]:
        # the speakers app depends on congress, not the reverse: its link model by name
        links = apps.get_model("speakers", "SessionSpeaker").objects.filter(
            session__in=Session.objects.public().filter(congress__in=Congress.objects.published())
        )
        return list(
            links.values_list("session__congress__prefix", "speaker__slug")
            .distinct()
            .order_by("session__congress__prefix", "speaker__slug")
        )

    def location(self, item: tuple[str, str]) -> str:
        prefix, slug = item
        return edition_reverse(Congress(prefix=prefix), "speakers:speaker-detail", slug=slug)


SITEMAPS = {"pages": PageSitemap, "sessions": SessionSitemap, "speakers": SpeakerSitemap}
