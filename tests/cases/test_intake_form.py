"""The intake form of issue 7: fields that follow the kind, any number of petitioners, documents filed with the
petition (all or nothing)."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Attachment, Case, CaseEvent

from .test_intake_view import URL, form_data, form_token, logged_in, receipt_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 54 + b"PE\x00\x00"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "public"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path / "private"


def people(n, **extra):
    rows = {"people-TOTAL_FORMS": str(n)}
    for i in range(n):
        rows.update({f"people-{i}-full_name": f"Nguyễn Văn {chr(65 + i)}",
                     f"people-{i}-id_number": f"0010900000{i + 10:02d}", f"people-{i}-has_signed": "on"})
    rows.update(extra)
    return rows


def test_the_page_marks_the_kind_only_fields_posts_files_and_loads_its_scripts_from_the_app(world):
    html = logged_in(world.reception).get(URL).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert html.count('data-kinds="complaint"') == 8  # 4 contested-decision fields + 4 limitation (K1) fields
    assert html.count('data-kinds="denunciation"') == 1
    assert 'name="attachments"' in html and "multiple" in html
    assert '<template id="people-empty">' in html and "people-__prefix__-full_name" in html
    assert "/static/js/intake.js" in html and "/static/vendor/htmx-2.0.11/htmx.min.js" in html
    assert "<script>" not in html and " onclick=" not in html  # the CSP allows no inline script


def test_six_petitioners_make_a_case_with_six_people_and_two_representatives(world):
    client = logged_in(world.reception)
    data = form_data(world, token=form_token(client), **people(6, **{"people-0-is_representative": "on",
                                                                      "people-3-is_representative": "on"}))
    receipt_of(client.post(URL, data))
    case = Case.objects.get()
    assert case.petitioners.count() == 6
    assert sorted(case.petitioners.filter(is_representative=True).values_list("full_name", flat=True)) == [
        "Nguyễn Văn A", "Nguyễn Văn D"]


def test_more_rows_than_the_formset_allows_is_a_form_error(world):
    client = logged_in(world.reception)
    response = client.post(URL, form_data(world, token=form_token(client), **people(201)))
    assert response.status_code == 400 and not Case.objects.exists()


def test_fields_of_another_kind_are_ignored(world):
    client = logged_in(world.reception)
    data = form_data(world, token=form_token(client), kind="recommendation", content="Kiến nghị sửa đường.",
                     respondent_number="99/QĐ", respondent_issuer="UBND", accused="Ông B", knew_on="not a date",
                     force_majeure_days="-5")
    receipt_of(client.post(URL, data))
    case = Case.objects.get()
    assert (case.kind, case.respondent_number, case.respondent_issuer, case.accused) == ("recommendation", "", "", "")


def test_a_denunciation_keeps_its_accused_and_drops_the_contested_decision(world):
    client = logged_in(world.reception)
    data = form_data(world, token=form_token(client), kind="denunciation", content="Tố cáo cán bộ nhận tiền.",
                     accused="Cán bộ địa chính xã A", respondent_number="123/QĐ-UBND")
    receipt_of(client.post(URL, data))
    case = Case.objects.get()
    assert (case.accused, case.respondent_number) == ("Cán bộ địa chính xã A", "")


def test_attachments_are_filed_with_the_new_case(world, private_root):
    client = logged_in(world.reception)
    data = form_data(world, token=form_token(client))
    data["attachments"] = [SimpleUploadedFile("Đơn khiếu nại.pdf", PDF, content_type="application/pdf"),
                           SimpleUploadedFile("ảnh.txt", "Biên bản".encode(), content_type="text/plain")]
    receipt_of(client.post(URL, data))
    case = Case.objects.get()
    files = list(Attachment.objects.filter(case=case).order_by("pk"))
    assert len(files) == 2
    assert files[0].file.read() == PDF
    assert CaseEvent.objects.filter(case=case, action="attach").count() == 2


def test_a_disguised_executable_refuses_the_whole_form_and_makes_no_case(world, private_root):
    client = logged_in(world.reception)
    token = form_token(client)
    data = form_data(world, token=token)
    data["attachments"] = [SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
                           SimpleUploadedFile("hoa-don.pdf", PE, content_type="application/pdf")]
    response = client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "hoa-don.pdf" in html and "not a PDF document" in html
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert not any(p.is_file() for p in private_root.rglob("*")) if private_root.exists() else True
    data.pop("attachments")
    receipt_of(client.post(URL, data))  # the same form, corrected, still goes through
    assert Case.objects.count() == 1
