from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CongressConfig(AppConfig):
    name = "congress"
    verbose_name = _("Congress")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from congress import signals  # noqa: F401  (connects the programme-version bumps)
