"""Admin pages of the imports: the frab schedule upload (preview, then confirm), room planning, templates.

Reached through SessionAdmin/SpeakerAdmin.get_urls (congress.imports.admin), behind the admin's login; each
checks the organiser's permissions itself. Bad input gives a form error or a 404, never a 500.
"""

import secrets

from django.apps import apps
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from congress.imports.forms import PlanningForm, ScheduleConfirmForm, ScheduleUploadForm
from congress.imports.planning import OWNED_FIELDS, SPEAKERS, ImportPlan, plan_import
from congress.imports.readers import ScheduleFileError, read_schedule
from congress.imports.resources import SessionPlanningResource, template_dataset
from congress.imports.writing import ImportRefused, apply_plan
from congress.models import Congress, Session

# The speakers app depends on congress, never the reverse: its models by name.
SessionSpeaker = apps.get_model("speakers", "SessionSpeaker")

PENDING_KEY = "congress-schedule-import"
# An uploaded schedule waits in the shared cache between the preview and the confirmation, so that any app
# process can confirm it (as django-import-export's CacheStorage does for spreadsheets; see settings).
PENDING_SECONDS = 24 * 60 * 60
SPREADSHEET_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _context(request, model_admin, title: str, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "changelist_url": reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist"),
        **extra,
    }


def _field_labels(plan: ImportPlan) -> None:
    """Each line's changed and kept fields by their admin names, for the preview."""
    labels = {name: str(Session._meta.get_field(name).verbose_name) for name in OWNED_FIELDS}
    labels[SPEAKERS] = _("speakers")
    for line in plan.lines:
        line.change_labels = [labels.get(name, name) for name in line.changes]
        line.kept_labels = [labels.get(name, name) for name in line.kept]


def _pending_key(token: str) -> str:
    return f"schedule-import:{token}"


def _store_pending(request, content: bytes, name: str, congress: Congress, prune: bool) -> str:
    previous = request.session.get(PENDING_KEY)
    if previous:
        cache.delete(_pending_key(previous["token"]))
    token = secrets.token_urlsafe(24)
    cache.set(_pending_key(token), content, PENDING_SECONDS)
    request.session[PENDING_KEY] = {"token": token, "name": name, "edition": congress.pk, "prune": prune}
    return token


def schedule_import(request, model_admin) -> HttpResponse:
    """Upload a frab schedule, see what it would do, confirm: nothing is written before the confirmation."""
    if not (model_admin.has_add_permission(request) and model_admin.has_change_permission(request)):
        raise PermissionDenied
    title = _("Import a frab schedule (schedule.xml or schedule.json)")
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, model_admin, title)
    form = ScheduleUploadForm(request.POST or None, request.FILES or None)
    context = _context(request, model_admin, title, form=form)
    if request.method == "POST" and form.is_valid():
        upload, congress = form.cleaned_data["file"], form.cleaned_data["edition"]
        content = form.cleaned_data["content"]
        try:
            plan = plan_import(read_schedule(upload.name, content), congress, prune=form.cleaned_data["prune"])
        except ScheduleFileError as exc:
            form.add_error("file", str(exc))
        else:
            _field_labels(plan)
            token = _store_pending(request, content, upload.name, congress, plan.prune) if not plan.errors else ""
            context |= {"plan": plan, "confirm_form": ScheduleConfirmForm(initial={"token": token})}
    return TemplateResponse(request, "admin/congress/imports/schedule_import.html", context)


def _confirm(request, model_admin, title: str) -> HttpResponse:
    form = ScheduleConfirmForm(request.POST)
    pending = request.session.get(PENDING_KEY) or {}
    upload_form = ScheduleUploadForm()
    expired = _context(
        request,
        model_admin,
        title,
        form=upload_form,
        error=_("This preview has expired or was replaced: upload the file again."),
    )
    if not form.is_valid() or form.cleaned_data["token"] != pending.get("token"):
        return TemplateResponse(request, "admin/congress/imports/schedule_import.html", expired, status=400)
    key = _pending_key(pending["token"])
    congress = Congress.objects.select_related("venue").filter(pk=pending["edition"]).first()
    try:
        content = cache.get(key)
        if congress is None or content is None:
            raise FileNotFoundError
        plan = apply_plan(plan_import(read_schedule(pending["name"], content), congress, prune=pending["prune"]))
    except (OSError, ScheduleFileError):
        return TemplateResponse(request, "admin/congress/imports/schedule_import.html", expired, status=400)
    except IntegrityError:  # someone else changed the programme between the preview and now
        changed = _("The programme changed while you were looking at the preview: upload the file again.")
        context = _context(request, model_admin, title, form=upload_form, error=changed)
        return TemplateResponse(request, "admin/congress/imports/schedule_import.html", context, status=409)
    except ImportRefused as exc:
        _field_labels(exc.plan)
        context = _context(request, model_admin, title, form=upload_form, plan=exc.plan)
        return TemplateResponse(request, "admin/congress/imports/schedule_import.html", context)
    finally:
        cache.delete(key)
        request.session.pop(PENDING_KEY, None)
    model_admin.message_user(request, f"{pending['name']} → {congress.name}: {plan.summary()}", messages.SUCCESS)
    return redirect(reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist"))


def planning_sessions(congress: Congress) -> list[Session]:
    """The edition's sessions that take place (not cancelled), with room, speakers and agenda counts."""
    links = SessionSpeaker.objects.select_related("speaker").order_by("position", "pk")
    return list(
        congress.sessions.exclude(status=Session.Status.CANCELLED)
        .select_related("room", "track")
        .prefetch_related(Prefetch("speaker_links", queryset=links, to_attr="listed_speaker_links"))
        .annotate(star_count=Count("stars"))
        .chronological()
    )


def planning(request, model_admin) -> HttpResponse:
    """Sessions with day, time, room, capacity, speakers and agenda counts; those over a share of their room's
    capacity stand out (or are the only ones listed). Agenda counts are not public: organisers only."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    data = request.GET.copy()
    if not data:  # the first visit: the current edition's sessions in demand, at the default share
        data["over"] = "on"
    if "edition" not in data and (current := Congress.objects.current().first()) is not None:
        data["edition"] = str(current.pk)
    form = PlanningForm(data)
    context = _context(request, model_admin, _("Room planning: demand vs capacity"), form=form)
    if not form.is_valid():
        status = 400 if request.GET else 200
        return TemplateResponse(request, "admin/congress/imports/planning.html", context, status=status)
    congress, share = form.cleaned_data["edition"], form.cleaned_data["share"]
    sessions = planning_sessions(congress)
    for session in sessions:
        capacity = session.room.capacity if session.room_id else None
        session.demand = round(100 * session.star_count / capacity) if capacity else None
        session.over_share = capacity is not None and session.star_count > capacity * share / 100
    if form.cleaned_data["over"]:
        sessions = [session for session in sessions if session.over_share]
    fmt = form.cleaned_data["format"]
    if fmt:
        dataset = SessionPlanningResource().export(queryset=sessions)
        return _download(dataset, fmt, f"{congress.acronym}-planning")
    context |= {"congress": congress, "share": share, "sessions": sessions}
    return TemplateResponse(request, "admin/congress/imports/planning.html", context)


def _download(dataset, fmt: str, name: str) -> HttpResponse:
    content = dataset.export(fmt)
    content = content.encode() if isinstance(content, str) else content
    response = HttpResponse(content, content_type=SPREADSHEET_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def spreadsheet_template(request, model_admin, fmt: str) -> HttpResponse:
    """The import columns and no row, to fill in."""
    if fmt not in SPREADSHEET_TYPES:
        raise Http404
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    resource_class = model_admin.get_import_resource_classes(request)[0]
    return _download(template_dataset(resource_class), fmt, f"{model_admin.opts.model_name}s-template")
