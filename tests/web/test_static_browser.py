"""With DEBUG off, viewflow's pages get their stylesheets, scripts and fonts from the app (whitenoise)."""
import os

import pytest

from organisation.models import Role
from tests.factories import UnitFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mật khẩu đủ dài 2026"


def test_viewflow_inbox_is_styled_and_no_static_file_is_missing(live_server, page, settings):
    assert settings.DEBUG is False
    handler = member(UnitFactory(name="Phường Tĩnh"), Role.HANDLER, username="canbo.tinh")
    handler.set_password(PASSWORD)
    handler.save()
    static = []
    page.on("response", lambda r: static.append((r.status, r.url)) if "/static/" in r.url else None)

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "canbo.tinh")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/workflow/inbox/")
    page.wait_for_load_state("networkidle")

    assert [url for status, url in static if status != 200] == []
    loaded = {url.rsplit("/", 1)[-1] for _, url in static}
    assert {"viewflow.min.css", "viewflow.min.js", "material-icons.css"} <= loaded
    # viewflow's material stylesheet is parsed and applied, its fonts ready.
    rules = page.evaluate("[...document.styleSheets].filter(s => (s.href || '').includes('/viewflow.min.css'))"
                          ".map(s => s.cssRules.length)")
    assert rules and rules[0] > 100
    assert "Roboto" in page.evaluate("getComputedStyle(document.querySelector('.mdc-top-app-bar__title')).fontFamily")
    assert page.evaluate("document.fonts.ready.then(() => document.fonts.check('24px \"Material Icons\"'))")
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "static-inbox.png"))
