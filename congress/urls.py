from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from congress import feeds, health, now, offline, views
from congress.agenda import feed, pages, stars

page_patterns = (
    [
        path("", views.home, name="home"),
        path("schedule/", views.schedule, name="schedule"),
        path("sessions/<slug:slug>/", views.session_detail, name="session-detail"),
        path("sessions/<slug:slug>/star/", stars.star, name="session-star"),
        path("partners/", views.partners, name="partners"),
        path("venue/", views.venue, name="venue"),
        path("calendar/", views.calendar_help, name="calendar-help"),
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

feed_patterns = (
    [
        path("calendar.ics", feeds.congress_calendar, name="calendar"),
        path("sessions/<slug:slug>.ics", feeds.session_calendar, name="session-calendar"),
        path("schedule.xml", feeds.schedule_xml, name="schedule-xml"),
        path("schedule.json", feeds.schedule_json, name="schedule-json"),
        path("agenda/<str:token>.ics", feed.agenda_calendar, name="agenda-calendar"),
    ],
    "feeds",
)

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("sw.js", offline.service_worker, name="service-worker"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
]
urlpatterns += i18n_patterns(
    # /calendar.ics is French, /en/calendar.ics English: same events, same UIDs, the text of the language.
    path("", include(feed_patterns)),
    path("", include(page_patterns)),
    path("speakers/", include("speakers.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "congress.views.page_not_found"
handler500 = "congress.resilience.server_error"
