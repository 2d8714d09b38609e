"""The Content Security Policy holds in a real browser (finding 12): the home page, the login form, viewflow's
inbox, queue, process and task pages and the admin raise no CSP violation (scripts: 'self' and nonces only)."""
import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case
from organisation.models import Role, UnitLevel
from tests.factories import UnitFactory, member
from workflows.flows import CaseFlow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mật khẩu đủ dài 2026"


def with_password(user, **flags):
    user.set_password(PASSWORD)
    for name, value in flags.items():
        setattr(user, name, value)
    user.save()
    return user


@pytest.fixture
def office(transactional_db):
    reverse("workflow:inbox")  # build viewflow's URLconf so the flow can reverse its task URLs
    province = UnitFactory(name="Tỉnh Thử", level=UnitLevel.PROVINCE)
    commune = UnitFactory(name="Xã Thử", parent=province)
    reception = with_password(member(commune, Role.RECEPTION, username="tiepdan.thu"))
    admin = with_password(member(province, Role.ADMIN, username="quantri.thu"), is_staff=True, is_superuser=True)
    received = timezone.now() - dt.timedelta(hours=2)
    for n in range(2):
        services.case_intake(
            actor=reception, kind="complaint", channel="in_person", received_at=received, receiving_unit=commune,
            content="Khiếu nại quyết định thu hồi đất", respondent_number=f"{n}/QĐ-UBND",
            petitioners=[{"full_name": "Nguyễn Văn An", "id_number": f"00109900000{n}"}], now=received,
        )
    first = Case.objects.order_by("pk").first()
    task = first.process.task_set.get(flow_task=CaseFlow.classify)
    with transaction.atomic():
        CaseFlow.classify.activation_class(task).assign(reception)  # one in the inbox, one in the queue
    return {"reception": reception, "admin": admin, "task": task}


class Violations(list):
    """Console errors Chromium reports for the policy (each names the refused directive)."""

    def watch(self, page):
        page.on("console", lambda message: self.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text else None)
        return self


def log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(base + "/")


def visit(page, url):
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_no_csp_violation_on_the_home_login_workflow_and_admin_pages(live_server, page, office):
    base = live_server.url
    violations = Violations().watch(page)
    visit(page, base + "/")
    visit(page, base + "/accounts/login/")
    log_in(page, base, "tiepdan.thu")
    task = office["task"]
    for path in ("/", reverse("workflow:inbox"), reverse("workflow:queue"), reverse("workflow:archive"),
                 f"/workflow/{task.process_id}/", task.flow_task.reverse("index", args=[task.process_id, task.pk]),
                 task.flow_task.reverse("execute", args=[task.process_id, task.pk])):
        visit(page, base + path)
    page.goto(base + reverse("workflow:inbox"))
    page.locator(f'a[href*="/classify/{task.pk}/"]').first.click()  # a Turbo navigation inside viewflow
    page.wait_for_load_state("networkidle")

    log_in(page, base, "quantri.thu")
    for path in ("/admin/", "/admin/cases/case/", f"/admin/cases/case/{task.process.caseprocess.case_id}/change/",
                 "/admin/auth/user/"):
        visit(page, base + path)
    assert violations == []

    # the watch itself works: an injected inline script is refused and reported
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
                  " document.body.appendChild(s); }")
    page.wait_for_timeout(200)
    assert len(violations) == 1 and "script-src" in violations[0]
    assert page.evaluate("() => window.x") is None
