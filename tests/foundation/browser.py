"""An organiser's browser in the admin: logged in, and sending back a change form as a browser would."""

import lxml.html
from django.contrib.auth.models import Group, User
from django.test import Client


def organiser_browser(username: str) -> Client:
    user = User.objects.create_user(username, f"{username}@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Organisers"))
    browser = Client()
    browser.force_login(user)
    return browser


def open_form(browser: Client, url: str) -> dict:
    """What a browser would send back from the admin's change form as it was loaded (textareas with \\r\\n)."""
    document = lxml.html.fromstring(browser.get(url).content.decode())
    form = next(form for form in document.forms if form.get("id", "").endswith("_form"))
    data: dict[str, list[str]] = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    for textarea in form.xpath(".//textarea"):
        data[textarea.name] = [(textarea.value or "").replace("\n", "\r\n")]
    data["_save"] = ["Save"]
    return data
