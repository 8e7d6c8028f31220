"""The base of every organiser form in the admin: no lost update, and text saved with plain \\n line ends.

Two organisers open the same row; the first saves; the second saves a stale copy. To catch that, each form
carries a signed digest of the row's values as they were when it was loaded (`loaded_state`). On save, the row
is read again, locked until the save commits (SELECT … FOR UPDATE; SQLite's write transaction is IMMEDIATE); if
a field of the form changed meanwhile, nothing is saved and the form comes back with the organiser's input and
a message naming each changed field with its current value. Saving again then keeps the organiser's version.

Browsers send a textarea's line ends as \\r\\n: they are stored as \\n, as the seeds write them, so that saving a
form without touching a text leaves it equal to its seeded value (congress.seeding).
"""

import hashlib

from django import forms
from django.contrib import admin
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import Model
from django.utils.text import Truncator
from django.utils.translation import gettext as _

SALT = "congress.admin_forms.loaded_state"
STATE_FIELD = "loaded_state"


def normalise_line_ends(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _field_value(instance: Model, name: str):
    model_field = instance._meta.get_field(name)
    value = model_field.value_from_object(instance)
    if model_field.many_to_many:
        return sorted(related.pk for related in value)
    if hasattr(value, "name") and not isinstance(value, str):  # a FieldFile
        return value.name
    return normalise_line_ends(value) if isinstance(value, str) else value


def _digest(name: str, value) -> str:
    return hashlib.sha256(f"{name}={value!r}".encode()).hexdigest()[:16]


class EditConflictForm(forms.ModelForm):
    loaded_state = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[STATE_FIELD].initial = self._signed_state(self.instance)

    def _model_field_names(self) -> list[str]:
        concrete = {field.name for field in self.instance._meta.get_fields() if getattr(field, "concrete", False)}
        return [name for name in self.fields if name in concrete]

    def _signed_state(self, instance: Model) -> str:
        state = {name: _digest(name, _field_value(instance, name)) for name in self._model_field_names()}
        return signing.dumps({"pk": str(instance.pk), "fields": state}, salt=SALT, compress=True)

    def clean(self) -> dict:
        cleaned_data = super().clean()
        for name, value in cleaned_data.items():
            if isinstance(value, str):
                cleaned_data[name] = normalise_line_ends(value)
        self._check_edit_conflict()
        return cleaned_data

    def _check_edit_conflict(self) -> None:
        posted = self.data.get(self.add_prefix(STATE_FIELD), "")
        if self.instance.pk is None or not posted:
            return
        model = type(self.instance)
        rows = model._default_manager.filter(pk=self.instance.pk)
        if transaction.get_connection(router.db_for_write(model)).in_atomic_block:
            rows = rows.select_for_update()  # held until the admin's transaction commits the save
        current = rows.first()
        if current is None:
            return  # deleted meanwhile: Django's own checks report it
        try:
            loaded = signing.loads(posted, salt=SALT)
        except signing.BadSignature:
            loaded = {"pk": None, "fields": {}}
        if loaded.get("pk") != str(current.pk):
            changed = self._model_field_names()
        else:  # the fields the form had when it was built (a formset adds its own, such as `id`, afterwards)
            changed = [
                name
                for name, digest in loaded["fields"].items()
                if name in self.fields and digest != _digest(name, _field_value(current, name))
            ]
        if not changed:
            return
        # The next save is a deliberate one: it is checked against what the organiser has now been shown.
        self.data = self.data.copy()
        self.data[self.add_prefix(STATE_FIELD)] = self._signed_state(current)
        details = "; ".join(
            _("%(field)s (now “%(value)s”)")
            % {"field": self.fields[name].label or name, "value": Truncator(self._shown(current, name)).chars(80)}
            for name in changed
        )
        raise ValidationError(
            _(
                "Someone else saved this %(model)s while you were editing it, so nothing was saved. Changed since "
                "you opened the form: %(fields)s. Your input is still in the form: check these fields, then save "
                "again to keep your version."
            ),
            code="edit_conflict",
            params={"model": model._meta.verbose_name, "fields": details},
        )

    @staticmethod
    def _shown(instance: Model, name: str) -> str:
        display = getattr(instance, f"get_{name}_display", None)
        value = display() if display else getattr(instance, name)
        if instance._meta.get_field(name).many_to_many:
            value = ", ".join(str(item) for item in value.all())
        return "" if value is None else str(value)


def with_loaded_state(fieldsets) -> list:
    """The admin renders only the fields named in its fieldsets: the hidden state goes into the first one."""
    fieldsets = [(name, dict(options)) for name, options in fieldsets]
    names = [
        field for line in fieldsets[0][1]["fields"] for field in (line if isinstance(line, list | tuple) else [line])
    ]
    if STATE_FIELD not in names:
        fieldsets[0][1]["fields"] = [*fieldsets[0][1]["fields"], STATE_FIELD]
    return fieldsets


class EditConflictAdmin(admin.ModelAdmin):
    """ModelAdmin whose change form refuses to overwrite a row changed since it was loaded."""

    form = EditConflictForm

    def get_fieldsets(self, request, obj=None):
        return with_loaded_state(super().get_fieldsets(request, obj))


class EditConflictInline:
    """Mixin for inlines: each inline row is checked the same way."""

    form = EditConflictForm

    def get_fieldsets(self, request, obj=None):
        return with_loaded_state(super().get_fieldsets(request, obj))
