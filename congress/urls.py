"""The site's addresses. An edition's pages and feeds (home, schedule, sessions, speakers, partners, venue and
the feeds) answer under its prefix (`/2025/schedule/`, `/en/2025/schedule/`, `/2025/calendar.ics`) as well as
at the short addresses of the current edition (`/schedule/`).

`site_patterns(prefix)` builds them with the edition's pages under the prefix: congress.edition_urls makes a
URLconf of them, which congress.editions sets as `request.urlconf` for an address under a prefix, so every
link such a page makes (`{% url %}`, reverse()) stays in that edition, while short pages link short addresses.
"""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from congress import editions, feeds, health, now, offline, views
from congress.agenda import feed, pages, stars


def _page_patterns(prefix: str) -> tuple[list, str]:
    return (
        [
            path(prefix, views.home, name="home"),
            path(f"{prefix}schedule/", views.schedule, name="schedule"),
            path(f"{prefix}sessions/<slug:slug>/", views.session_detail, name="session-detail"),
            path(f"{prefix}sessions/<slug:slug>/star/", stars.star, name="session-star"),
            path(f"{prefix}partners/", views.partners, name="partners"),
            path(f"{prefix}venue/", views.venue, name="venue"),
            path("calendar/", views.calendar_help, name="calendar-help"),
            path("editions/", editions.edition_list, name="editions"),
            path("now/", now.now, name="now"),
            path("agenda/", pages.agenda, name="agenda"),
            path("agenda/state/", stars.state, name="agenda-state"),
            path("agenda/reset/", pages.reset, name="agenda-reset"),
            path("agenda/attach/<str:token>/", pages.attach, name="agenda-attach"),
            path("manifest.webmanifest", offline.manifest, name="manifest"),
            path("offline/", offline.offline_page, name="offline"),
            path("offline/pages.json", offline.offline_pages, name="offline-pages"),
        ],
        "congress",
    )


def _feed_patterns(prefix: str) -> tuple[list, str]:
    return (
        [
            path(f"{prefix}calendar.ics", feeds.congress_calendar, name="calendar"),
            path(f"{prefix}sessions/<slug:slug>.ics", feeds.session_calendar, name="session-calendar"),
            path(f"{prefix}schedule.xml", feeds.schedule_xml, name="schedule-xml"),
            path(f"{prefix}schedule.json", feeds.schedule_json, name="schedule-json"),
            path("agenda/<str:token>.ics", feed.agenda_calendar, name="agenda-calendar"),
        ],
        "feeds",
    )


def site_patterns(prefix: str = "") -> list:
    patterns = [
        path("i18n/", include("django.conf.urls.i18n")),
        path("healthz", health.healthz, name="healthz"),
        path("sw.js", offline.service_worker, name="service-worker"),
        path("robots.txt", views.robots_txt, name="robots-txt"),
        path("sitemap.xml", views.sitemap, name="sitemap"),
    ]
    patterns += i18n_patterns(
        # /calendar.ics is French, /en/calendar.ics English: same events, same UIDs, the text of the language.
        path("", include(_feed_patterns(prefix))),
        path("", include(_page_patterns(prefix))),
        path(f"{prefix}speakers/", include("speakers.urls")),
        path("admin/", admin.site.urls),
        prefix_default_language=False,
    )
    if settings.DEBUG:
        from django.conf.urls.static import static

        patterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
    return patterns


urlpatterns = site_patterns()

handler404 = "congress.views.page_not_found"
handler500 = "congress.resilience.server_error"
