"""The organisers' admin: every list joins what its columns show, so it costs the same whatever its length."""

import datetime as dt
from collections.abc import Callable

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationTabularInline

from congress.admin_english import EnglishMissingFilter, TranslatedAdmin, missing_texts
from congress.admin_forms import EditConflictAdmin, EditConflictForm, EditConflictInline, with_loaded_state
from congress.imports.admin import SessionImportsMixin
from congress.models import Congress, Organisation, Participation, ProgrammeVersion, Room, Session, Track, Venue

admin.site.site_header = _("Congrès France Bioproduction — organisers")
admin.site.site_title = _("France Bioproduction admin")
admin.site.index_title = _("Programme and content")


class RoomInline(EditConflictInline, TranslationTabularInline):
    model = Room
    fields = (("name",), "slug", "capacity", "position")
    prepopulated_fields = {"slug": ("name",)}
    extra = 0


@admin.register(Venue)
class VenueAdmin(TranslatedAdmin):
    list_display = ("name", "city", "country", "room_count")
    search_fields = ("name", "city")
    inlines = [RoomInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(room_count=Count("rooms", distinct=True))

    @admin.display(description=_("rooms"), ordering="room_count")
    def room_count(self, venue: Venue) -> int:
        return venue.room_count


@admin.register(Room)
class RoomAdmin(TranslatedAdmin):
    list_display = ("name", "venue", "capacity", "position")
    list_select_related = ("venue",)
    list_filter = ("venue",)
    search_fields = ("name", "slug", "venue__name")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("venue",)


class CongressForm(EditConflictForm):
    class Meta:
        model = Congress
        fields = [
            "name", "edition", "slug", "acronym", "prefix", "is_published", "is_current", "start_date", "end_date",
            "time_zone", "venue", "short_description", "description", "website",
        ]  # fmt: skip

    def validate_constraints(self) -> None:
        # Saving makes this edition the only current one (CongressAdmin.save_model), so another edition
        # marked current is not an error here.
        exclude = self._get_validation_exclusions() | {"is_current"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as exc:
            self._update_errors(exc)


class ParticipationInline(EditConflictInline, admin.TabularInline):
    model = Participation
    fields = ("organisation", "role", "tier", "position")
    autocomplete_fields = ("organisation",)
    extra = 0


class TrackInline(EditConflictInline, TranslationTabularInline):
    model = Track
    fields = (("name",), "slug", "colour", "position")
    prepopulated_fields = {"slug": ("name",)}
    extra = 0


@admin.register(Congress)
class CongressAdmin(TranslatedAdmin):
    form = CongressForm
    list_display = ("name", "edition", "prefix", "start_date", "end_date", "venue", "is_published", "is_current")
    list_select_related = ("venue",)
    list_filter = ("is_current", "is_published", "venue")
    actions = ["make_current"]
    search_fields = ("name", "slug", "acronym")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("venue",)
    inlines = [TrackInline, ParticipationInline]
    readonly_fields = ("english_missing_count",)
    fieldsets = [
        (None, {"fields": (("name",), "edition", "slug", "acronym", "prefix", "is_published", "is_current")}),
        (_("Dates and place"), {"fields": ("start_date", "end_date", "time_zone", "venue")}),
        (_("Presentation"), {"fields": (("short_description",), ("description",), "website")}),
        (_("English"), {"fields": ("english_missing_count",)}),
    ]

    @admin.display(description=_("texts without English"))
    def english_missing_count(self, congress: Congress) -> int | str:
        """The edition's texts in French with no English version: its own, its tracks', its public
        sessions' and their speakers' (one count query per model)."""
        if congress.pk is None:
            return "—"
        rows = [
            Congress.objects.filter(pk=congress.pk),
            Track.objects.filter(congress=congress),
            Room.objects.filter(venue_id=congress.venue_id),
            Session.objects.filter(congress=congress).exclude(status=Session.Status.DRAFT),
            apps.get_model("speakers", "Speaker")  # by name: congress never imports speakers
            .objects.filter(session_links__session__congress=congress)
            .distinct(),
        ]
        return sum(missing_texts(queryset) for queryset in rows)

    def save_model(self, request, obj: Congress, form, change: bool) -> None:
        if obj.is_current:
            # Bulk update: no signal, but the save below bumps the programme version.
            Congress.objects.current().exclude(pk=obj.pk).update(is_current=False)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Make the selected edition current"))
    def make_current(self, request, queryset) -> None:
        """Switch the edition the short addresses show, in one transaction (Congress.make_current); the old
        edition keeps answering under its prefix."""
        if queryset.count() != 1:
            self.message_user(request, gettext("Choose exactly one edition to make current."), messages.ERROR)
            return
        congress = queryset.get()
        if not (congress.is_published and congress.prefix):
            message = gettext(
                "Publish an edition before making it current: it needs an address prefix and the published box."
            )
            self.message_user(request, message, messages.ERROR)
            return
        congress.make_current()
        message = gettext("“%(name)s” is now the current edition.") % {"name": congress.name}
        self.message_user(request, message, messages.SUCCESS)


@admin.register(Organisation)
class OrganisationAdmin(TranslatedAdmin):
    list_display = ("name", "slug", "website")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Participation)
class ParticipationAdmin(EditConflictAdmin):
    list_display = ("organisation", "congress", "role", "tier", "position")
    list_select_related = ("organisation", "congress")
    list_filter = ("congress", "role", "tier")
    search_fields = ("organisation__name", "congress__name")
    autocomplete_fields = ("organisation", "congress")


@admin.register(Track)
class TrackAdmin(TranslatedAdmin):
    list_display = ("name", "congress", "colour", "position")
    list_select_related = ("congress",)
    list_filter = ("congress",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class DayFilter(admin.SimpleListFilter):
    """Days in each congress's own time zone (a session at 00:30 local time belongs to that local day)."""

    title = _("day")
    parameter_name = "day"

    def lookups(self, request, model_admin):
        congresses = Congress.objects.order_by("start_date")
        congress_id = request.GET.get("congress__id__exact")
        if congress_id and congress_id.isdigit():
            congresses = congresses.filter(pk=congress_id)
        days = sorted({day for congress in congresses for day in congress.days})
        return [(day.isoformat(), date_format(day, "l j F Y")) for day in days]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            day = dt.date.fromisoformat(self.value())
        except ValueError:
            raise IncorrectLookupParameters(self.value()) from None
        on_day = Q(pk__in=[])
        for congress in Congress.objects.filter(start_date__lte=day, end_date__gte=day):
            start, end = congress.day_bounds(day)
            on_day |= Q(congress=congress, starts_at__gte=start, starts_at__lt=end)
        return queryset.filter(on_day)


@admin.register(Session)
class SessionAdmin(SessionImportsMixin, TranslatedAdmin):
    list_display = ("title", "local_time", "room", "track", "kind", "status", "speaker_names", "star_count")
    list_select_related = ("congress", "room", "track")
    list_filter = ("congress", DayFilter, "room", "track", "kind", "status", "is_highlighted", EnglishMissingFilter)
    date_hierarchy = "starts_at"
    search_fields = ("title_fr", "title_en", "abstract_fr", "abstract_en", "speaker_links__speaker__name")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("room", "track")
    readonly_fields = ("uid", "revision", "created_at", "modified_at")
    inlines = []  # with its speakers from the speakers app (speakers.admin)
    actions = ["publish", "unpublish", "cancel"]
    list_per_page = 50

    def get_fieldsets(self, request, obj=None):
        zone = timezone.get_current_timezone_name()
        return with_loaded_state(
            [
                (None, {"fields": ("congress", ("title_fr", "title_en"), "slug", "kind", "status", "language")}),
                (
                    _("Time and place"),
                    {
                        "fields": ("starts_at", "ends_at", "time_to_be_confirmed", "room"),
                        "description": gettext("Times are in the congress’s time zone, %(zone)s.") % {"zone": zone},
                    },
                ),
                (_("Content"), {"fields": (("abstract_fr", "abstract_en"), "track", "is_highlighted")}),
                (
                    _("Calendar identity"),
                    {
                        "fields": ("uid", "revision", "created_at", "modified_at"),
                        "description": gettext(
                            "Calendars know the session by its identity; the revision goes up when its time, room, "
                            "title or status changes, so that they update it."
                        ),
                    },
                ),
            ]
        )

    def get_queryset(self, request):
        speaker_links = Session._meta.get_field("speaker_links").related_model  # speakers depends on congress
        # The count of agendas that starred a session (never who): organisers move a popular one to a larger room.
        return (
            super()
            .get_queryset(request)
            .annotate(star_count=Count("stars", distinct=True))
            .prefetch_related(Prefetch("speaker_links", queryset=speaker_links.objects.select_related("speaker")))
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        current = Congress.objects.current().first()
        if current and "congress" not in initial:
            initial["congress"] = current.pk
        return initial

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Times are typed and shown in the congress's zone, whatever the server's.
        congress = self._congress_of_form(request, object_id)
        zone = congress.tzinfo if congress else timezone.get_current_timezone()
        with timezone.override(zone):
            return super().changeform_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _congress_of_form(request, object_id) -> Congress | None:
        congress_id = request.POST.get("congress")
        if congress_id and congress_id.isdigit():
            return Congress.objects.filter(pk=congress_id).first()
        if object_id and str(object_id).isdigit():
            return Congress.objects.filter(sessions__pk=object_id).first()
        return Congress.objects.current().first()

    def view_on_site(self, session: Session) -> str | None:
        # Only the current edition's published or cancelled sessions have a public page.
        if session.congress.is_current and session.status != Session.Status.DRAFT:
            return session.get_absolute_url()
        return None

    @admin.display(description=_("when (congress time)"), ordering="starts_at")
    def local_time(self, session: Session) -> str:
        start, end = session.local_start, session.local_end
        return f"{date_format(start, 'D j F')} {start:%H:%M}–{end:%H:%M} ({start.tzname()})"

    @admin.display(description=_("speakers"))
    def speaker_names(self, session: Session) -> str:
        return ", ".join(link.speaker.name for link in session.speaker_links.all())

    @admin.display(description=_("in agendas"), ordering="star_count")
    def star_count(self, session: Session) -> int:
        return session.star_count

    def _set_status(self, request, queryset, status: str, done: Callable[[int], str], nothing: str) -> None:
        # Bulk update, so no signals: the revision (calendar SEQUENCE) and the programme version go up here.
        changing = Session.objects.filter(pk__in=queryset.values("pk")).exclude(status=status)
        count = changing.bump_revision(status=status)
        if count:
            ProgrammeVersion.bump()
            self.message_user(request, done(count), messages.SUCCESS)
        else:
            self.message_user(request, nothing, messages.INFO)

    @admin.action(description=_("Publish the selected sessions"), permissions=["change"])
    def publish(self, request, queryset) -> None:
        self._set_status(
            request,
            queryset,
            Session.Status.PUBLISHED,
            lambda count: (
                ngettext("%(count)d session published.", "%(count)d sessions published.", count) % {"count": count}
            ),
            gettext("The selected sessions were already published."),
        )

    @admin.action(description=_("Unpublish the selected sessions (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset) -> None:
        self._set_status(
            request,
            queryset,
            Session.Status.DRAFT,
            lambda count: (
                ngettext("%(count)d session unpublished.", "%(count)d sessions unpublished.", count) % {"count": count}
            ),
            gettext("The selected sessions were already drafts."),
        )

    @admin.action(description=_("Cancel the selected sessions"), permissions=["change"])
    def cancel(self, request, queryset) -> None:
        self._set_status(
            request,
            queryset,
            Session.Status.CANCELLED,
            lambda count: (
                ngettext("%(count)d session cancelled.", "%(count)d sessions cancelled.", count) % {"count": count}
            ),
            gettext("The selected sessions were already cancelled."),
        )
