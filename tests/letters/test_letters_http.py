"""The case's letters page and the register: scope (404), the right to issue (403), the case's state (409)."""
import pytest
from django.urls import reverse

from cases.models import IdentityAccess
from letters import services
from letters.models import Letter
from organisation.models import Role
from tests.factories import aware, member

from .conftest import ISSUED, accepted, concluded, decided, intake

pytestmark = pytest.mark.django_db


def issue(client, case, value):
    return client.post(reverse("case_letters", args=[case.pk]), {"letter": value})


def test_the_handler_issues_a_decision_from_the_case_page_and_downloads_it(world, client, time_machine):
    time_machine.move_to(aware(ISSUED, 10))
    case = decided(world)
    client.force_login(world.handler)
    page = client.get(reverse("case_letters", args=[case.pk]))
    assert page.status_code == 200 and b'value="decision:petitioner"' in page.content
    assert b'value="receipt:petitioner"' not in page.content  # the reception desk's letter
    response = issue(client, case, "decision:petitioner")
    assert response.status_code == 302
    letter = Letter.objects.get(case=case)
    assert (letter.reference, letter.issued_by, letter.letter_type) == ("01/QĐ-UBND", world.handler, "decision")
    listing = client.get(reverse("case_letters", args=[case.pk]))
    url = reverse("case_document", args=[case.pk, letter.attachment_id])
    assert url.encode() in listing.content
    download = client.get(url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert reverse("case_letters", args=[case.pk]).encode() in client.get(reverse("case_detail", args=[case.pk])).content


def test_another_units_user_gets_404_and_a_clerk_without_the_right_403(world, client):
    case = decided(world)
    client.force_login(world.outsider)
    assert client.get(reverse("case_letters", args=[case.pk])).status_code == 404
    assert issue(client, case, "decision:petitioner").status_code == 404
    client.force_login(world.reception)  # a clerk of the unit: sees the case, does not sign its decision
    assert client.get(reverse("case_letters", args=[case.pk])).status_code == 200
    response = issue(client, case, "decision:petitioner")
    assert response.status_code == 403
    assert not Letter.objects.exists()


def test_a_letter_the_case_does_not_allow_is_a_409_and_takes_no_number(world, client):
    case = accepted(world)
    client.force_login(world.head)
    client.cookies["django_language"] = "en"
    response = issue(client, case, "decision:petitioner")
    assert response.status_code == 409 and "not been decided" in response.content.decode()
    assert issue(client, case, "nonsense:petitioner").status_code == 400
    assert issue(client, case, "acceptance:accused").status_code == 409  # a complaint has no accused
    assert issue(client, case, "acceptance:petitioner").status_code == 302
    assert Letter.objects.get().number == 1  # the refused attempts used no number


def test_a_letter_naming_the_denouncer_is_logged_as_a_look_at_the_identity(world, client):
    case = concluded(world)
    client.force_login(world.head)
    assert issue(client, case, "conclusion:petitioner").status_code == 302
    assert IdentityAccess.objects.filter(case=case, user=world.head, purpose="letter", granted=True).exists()
    other_head = member(world.province, Role.HEAD, "lanhdao-tinh-2")  # in scope from above, not named by §5
    client.force_login(other_head)
    page = client.get(reverse("case_letters", args=[case.pk])).content
    assert b'value="conclusion:accused"' in page and b'value="conclusion:petitioner"' not in page
    assert issue(client, case, "conclusion:petitioner").status_code == 403
    assert issue(client, case, "conclusion:accused").status_code == 302


def test_the_register_lists_the_users_units_letters_in_a_fixed_number_of_queries(
        world, client, django_assert_max_num_queries):
    for _ in range(3):
        services.issue_letter(case=intake(world), letter_type="receipt", actor=world.reception,
                              now=aware(ISSUED, 10))
    client.force_login(world.head)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("letter_register"))
    assert page.status_code == 200 and page.content.decode().count("GBN-UBND") == 3
    client.force_login(world.outsider)
    assert "GBN-UBND" not in client.get(reverse("letter_register")).content.decode()


def test_without_weasyprint_the_letter_fails_with_a_clear_message_and_takes_no_number(world, client, monkeypatch):
    import sys

    from letters.models import RegisterCounter

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as on a machine without it (or without pango)
    case = intake(world)
    client.force_login(world.reception)
    response = issue(client, case, "receipt:petitioner")
    assert response.status_code == 503 and "weasyprint" in response.content.decode()
    assert not Letter.objects.exists() and not RegisterCounter.objects.filter(last_number__gt=0).exists()
