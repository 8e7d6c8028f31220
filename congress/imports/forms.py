from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from congress.imports.readers import MAX_FILE_BYTES
from congress.models import Congress


def editions():
    return Congress.objects.select_related("venue").order_by("-start_date")


class ScheduleUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Schedule file"),
        help_text=_("A frab schedule.xml or schedule.json (pretalx, frab, our own feeds), %(limit)d MB at most.")
        % {"limit": MAX_FILE_BYTES // 2**20},
    )
    edition = forms.ModelChoiceField(queryset=editions(), label=_("Edition"), empty_label=None)
    prune = forms.BooleanField(
        label=_("Cancel the sessions the file no longer has"),
        required=False,
        help_text=_("Only sessions an earlier import brought in: published ones are cancelled, drafts deleted."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edition"].queryset = editions()
        self.fields["edition"].initial = Congress.objects.current().values_list("pk", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > MAX_FILE_BYTES:
                self.add_error(
                    "file",
                    _("%(file)s is larger than %(limit)d MB, the import limit.")
                    % {"file": upload.name, "limit": MAX_FILE_BYTES // 2**20},
                )
            else:
                cleaned["content"] = upload.read(MAX_FILE_BYTES + 1)
        return cleaned


class ScheduleConfirmForm(forms.Form):
    token = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput)


class PlanningForm(forms.Form):
    FORMATS = [("", _("Page")), ("csv", "CSV"), ("xlsx", "XLSX")]

    edition = forms.ModelChoiceField(queryset=editions(), label=_("Edition"), empty_label=None)
    share = forms.IntegerField(
        label=_("Share of the room’s capacity (%)"),
        initial=80,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("A session whose agenda count is above this share of its room’s capacity stands out."),
    )
    over = forms.BooleanField(label=_("Only the sessions above the share"), required=False)
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, required=False)

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("share"):
            data = data.copy()
            data["share"] = "80"
        super().__init__(data, *args, **kwargs)
        self.fields["edition"].queryset = editions()
        self.fields["edition"].initial = Congress.objects.current().values_list("pk", flat=True).first()
