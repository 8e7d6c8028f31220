"""What the session and speaker admins gain from this package, as mixins placed first in their bases:
spreadsheet import and export (django-import-export's own preview and confirm), the frab schedule import with
its preview, the room planning page and the spreadsheet templates."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from congress.imports import views
from congress.imports.readers import MAX_FILE_BYTES
from congress.imports.resources import SessionPlanningResource, SessionResource, SpeakerResource


class SpreadsheetMixin(ImportExportMixin):
    formats = [CSV, XLSX]
    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def import_action(self, request, **kwargs):
        upload = request.FILES.get("import_file")
        if upload is not None and upload.size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // 2**20
            self.message_user(
                request,
                _("%(file)s is larger than %(limit)d MB, the import limit: nothing was imported.")
                % {"file": upload.name, "limit": limit},
                messages.ERROR,
            )
            return redirect(request.path)
        return super().import_action(request, **kwargs)

    def template_url(self, name: str):
        def download(request, fmt: str) -> HttpResponse:
            return views.spreadsheet_template(request, self, fmt)

        return path(
            "template.<str:fmt>",
            self.admin_site.admin_view(download),
            name=f"{self.opts.app_label}_{self.opts.model_name}_{name}",
        )


class SessionImportsMixin(SpreadsheetMixin):
    resource_classes = [SessionResource, SessionPlanningResource]
    import_export_change_list_template = "admin/congress/imports/session_change_list.html"

    def get_import_resource_classes(self, request):
        return [SessionResource]

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"

        def schedule_import(request):
            return views.schedule_import(request, self)

        def planning(request):
            return views.planning(request, self)

        return [
            path("import-schedule/", self.admin_site.admin_view(schedule_import), name=f"{prefix}_import_schedule"),
            path("planning/", self.admin_site.admin_view(planning), name=f"{prefix}_planning"),
            self.template_url("template"),
            *super().get_urls(),
        ]


class SpeakerImportsMixin(SpreadsheetMixin):
    resource_classes = [SpeakerResource]
    import_export_change_list_template = "admin/congress/imports/speaker_change_list.html"

    def get_urls(self):
        return [self.template_url("template"), *super().get_urls()]
