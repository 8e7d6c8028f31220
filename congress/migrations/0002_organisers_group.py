from django.contrib.auth.management import create_permissions
from django.db import migrations

ORGANISERS = "Organisers"
EDITABLE_MODELS = {
    "congress": ["congress", "venue", "room", "organisation", "participation", "track", "session"],
    "speakers": ["speaker", "sessionspeaker"],
}


def create_organisers_group(apps, schema_editor):
    # Permissions are normally created after all migrations; this group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ORGANISERS)
    codenames = [
        (app_label, f"{action}_{model}")
        for app_label, models in EDITABLE_MODELS.items()
        for model in models
        for action in ("add", "change", "delete", "view")
    ]
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in codenames
    ]
    group.permissions.set(permissions)


def remove_organisers_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=ORGANISERS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("congress", "0001_initial"),
        ("speakers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_organisers_group, remove_organisers_group)]
