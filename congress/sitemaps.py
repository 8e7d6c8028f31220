"""sitemap.xml: the public pages of the current edition, in French (unprefixed) and English (/en/).

Never drafts, never the personal agenda. With `i18n` and `alternates`, each URL lists its other-language
version (hreflang), and `x_default` points search engines to the French one.
"""

from django.apps import apps
from django.contrib import sitemaps
from django.urls import reverse

from congress import queries


class I18nSitemap(sitemaps.Sitemap):
    i18n = True
    alternates = True
    x_default = True


class PageSitemap(I18nSitemap):
    priority = 0.8
    changefreq = "daily"

    def items(self) -> list[str]:
        pages = ["congress:home", "congress:schedule", "speakers:speaker-list", "congress:partners", "congress:venue"]
        return [*pages, "congress:calendar-help"] if queries.current_congress() else ["congress:calendar-help"]

    def location(self, item: str) -> str:
        return reverse(item)


class SessionSitemap(I18nSitemap):
    priority = 0.6
    changefreq = "daily"

    def items(self):
        congress = queries.current_congress()
        return list(queries.sitemap_sessions(congress)) if congress else []

    def lastmod(self, session):
        return session.modified_at


class SpeakerSitemap(I18nSitemap):
    priority = 0.5
    changefreq = "weekly"

    def items(self):
        congress = queries.current_congress()
        if congress is None:
            return []
        speakers = apps.get_model("speakers", "Speaker")  # the speakers app depends on congress, not the reverse
        return list(speakers.objects.with_public_sessions(congress).alphabetical())


SITEMAPS = {"pages": PageSitemap, "sessions": SessionSitemap, "speakers": SpeakerSitemap}
