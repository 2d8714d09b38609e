"""Uploads: content must match the name, names are ours, files live outside the web root and are
served only through the access policy (and, in a denunciation, only to the officers of reference §5)."""
import datetime as dt
import io
import os
import re
import stat
import zipfile
from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases import documents, services
from cases.errors import Forbidden, InvalidInput
from cases.models import Attachment, IdentityAccess
from cases.storage import private_storage
from tests.factories import aware

from .conftest import complaint_kwargs, denunciation_kwargs

pytestmark = pytest.mark.django_db

NOW = aware(dt.date(2026, 7, 7))
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 54 + b"PE\x00\x00"


@pytest.fixture
def private_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "public"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path / "private"


def complaint(world):
    return services.case_intake(**complaint_kwargs(world)).case


def denunciation(world):
    return services.case_intake(**denunciation_kwargs(world)).case


def attach(world, case, name, content, actor=None):
    return services.case_attach(case=case, actor=actor or world.reception, file=SimpleUploadedFile(name, content),
                                now=NOW)


def docx(with_body=True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("_rels/.rels", "<Relationships/>")
        if with_body:
            package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


# --- what may be filed ----------------------------------------------------------------

def test_a_pdf_is_stored_in_the_private_folder_under_a_name_of_ours(world, private_root):
    attachment = attach(world, complaint(world), "Đơn khiếu nại (bản gốc).pdf", PDF)
    path = Path(attachment.file.path)
    assert path.is_relative_to(private_root) and path.read_bytes() == PDF
    assert re.fullmatch(r"attachments/\d{4}/\d{2}/[0-9a-f]{16}-Don-khieu-nai-ban-goc\.pdf", attachment.file.name)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert attachment.case.events.get(action="attach").payload["name"] == "Đơn khiếu nại (bản gốc).pdf"


@pytest.mark.parametrize("name", ["../../../etc/passwd.pdf", "..\\..\\windows\\passwd.pdf", "/etc/passwd.pdf"])
def test_a_path_in_the_name_is_dropped(world, private_root, name):
    """A plain File keeps the name it is given (an UploadedFile would strip only the forward slashes)."""
    case = complaint(world)
    attachment = services.case_attach(case=case, actor=world.reception, file=File(io.BytesIO(PDF), name=name), now=NOW)
    stored = attachment.file.name
    assert ".." not in stored and "\\" not in stored and "etc" not in stored and "windows" not in stored
    assert re.fullmatch(r"attachments/\d{4}/\d{2}/[0-9a-f]{16}-passwd\.pdf", stored)
    assert Path(attachment.file.path).resolve().is_relative_to(private_root.resolve())
    assert not Path("/etc/passwd.pdf").exists()


@pytest.mark.parametrize("name, content", [
    ("don.pdf", HTML),                      # a web page dressed as a PDF
    ("don.pdf", ELF),                       # a Linux executable
    ("don.pdf", PE),                        # a Windows executable
    ("anh.png", JPEG),                      # the wrong image type
    ("anh.jpg", HTML),
    ("bien-ban.docx", docx(with_body=False)),  # a zip, not a Word document
    ("ghi-chu.txt", HTML),                  # markup is not plain text
    ("ghi-chu.txt", b"abc\x00\x01binary"),
    ("ghi-chu.txt", ELF),
])
def test_content_that_does_not_match_the_name_is_refused(world, private_root, name, content):
    case = complaint(world)
    with pytest.raises(InvalidInput, match="content") as refused:
        attach(world, case, name, content)
    assert refused.value.http_status == 400 and refused.value.field == "file"
    assert not case.attachments.exists() and not case.events.filter(action="attach").exists()
    assert not private_root.exists() or not any(p.is_file() for p in private_root.rglob("*"))


@pytest.mark.parametrize("name, content", [
    ("scan.pdf", PDF), ("anh.png", PNG), ("anh.JPG", JPEG), ("bien-ban.docx", docx()),
    ("ghi-chu.txt", "Biên bản làm việc ngày 7/7/2026.\n".encode()),
])
def test_real_documents_are_accepted(world, private_root, name, content):
    attachment = attach(world, complaint(world), name, content)
    assert attachment.file.name.endswith("." + name.rsplit(".", 1)[-1].lower())


def test_unknown_extensions_empty_and_oversized_files_are_refused(world, private_root, monkeypatch):
    case = complaint(world)
    for name, content in (("virus.exe", PE), ("trang.html", HTML), ("khong-duoi", PDF), ("empty.pdf", b"")):
        with pytest.raises(InvalidInput):
            attach(world, case, name, content)
    monkeypatch.setattr(documents, "MAX_BYTES", 1024)
    with pytest.raises(InvalidInput, match="larger"):
        attach(world, case, "big.pdf", PDF + b"0" * 1024)
    assert not case.attachments.exists()


def test_an_outsider_is_refused_before_the_upload_is_read(world, private_root):
    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("read an outsider's upload")

    upload = File(Unreadable(PDF), name="a.pdf")
    with pytest.raises(Forbidden):
        services.case_attach(case=complaint(world), actor=world.outsider, file=upload, now=NOW)


def test_a_documents_url_is_the_guarded_view_and_media_is_not_routed(world, private_root, client):
    attachment = attach(world, complaint(world), "scan.pdf", PDF)
    assert attachment.file.url == f"/cases/{attachment.case_id}/documents/{attachment.pk}/"
    with pytest.raises(ValueError):
        private_storage().url("attachments/2026/07/not-a-document.pdf")
    client.force_login(world.reception)
    assert client.get("/media/" + attachment.file.name).status_code == 404
    assert client.get("/private/" + attachment.file.name).status_code == 404


def test_the_admin_links_a_document_to_the_guarded_view(world, private_root, client):
    attachment = attach(world, complaint(world), "scan.pdf", PDF)
    head = world.head  # an officer of the case (the administrator role sees no petitioner's papers)
    head.is_staff = True
    head.save()
    client.force_login(head)
    page = client.get(f"/admin/cases/case/{attachment.case_id}/change/")
    assert page.status_code == 200
    assert f'href="/cases/{attachment.case_id}/documents/{attachment.pk}/"' in page.content.decode()


# --- who may read it back ---------------------------------------------------------------

def url(attachment, case_pk=None):
    return f"/cases/{case_pk or attachment.case_id}/documents/{attachment.pk}/"


def get_as(user, path):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(path)


def test_an_officer_in_scope_downloads_it_as_an_attachment_never_cached(world, private_root):
    attachment = attach(world, complaint(world), "Đơn khiếu nại.pdf", PDF)
    response = get_as(world.handler, url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Don-khieu-nai.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_out_of_scope_wrong_case_missing_and_anonymous_reveal_nothing(world, private_root):
    attachment = attach(world, complaint(world), "scan.pdf", PDF)
    other_case = services.case_intake(**complaint_kwargs(world, respondent_number="9/QĐ")).case
    assert get_as(world.outsider, url(attachment)).status_code == 404
    assert get_as(world.reception, url(attachment, case_pk=other_case.pk)).status_code == 404  # not this case's
    assert get_as(world.reception, f"/cases/{attachment.case_id}/documents/{attachment.pk + 99}/").status_code == 404
    anonymous = get_as(None, url(attachment))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    Path(attachment.file.path).unlink()
    assert get_as(world.reception, url(attachment)).status_code == 404  # gone from disk: not a 500


def test_a_denunciations_documents_open_only_to_the_named_officers_and_every_look_is_logged(world, private_root):
    case = denunciation(world)
    attachment = attach(world, case, "to-cao.pdf", PDF)
    assert get_as(world.reception, url(attachment)).status_code == 200  # receiving officer (§5)
    assert get_as(world.handler, url(attachment)).status_code == 403  # in scope, but not the assigned handler
    assert get_as(world.outsider, url(attachment)).status_code == 404  # out of scope: nothing revealed
    looks = IdentityAccess.objects.filter(case=case, purpose="document").order_by("pk")
    assert [(look.user, look.granted) for look in looks] == [
        (world.reception, True), (world.handler, False), (world.outsider, False)
    ]


def test_an_unprotected_cases_documents_leave_no_identity_log(world, private_root):
    attachment = attach(world, complaint(world), "scan.pdf", PDF)
    assert get_as(world.handler, url(attachment)).status_code == 200
    assert not IdentityAccess.objects.exists()
    assert Attachment.objects.count() == 1


def test_the_case_page_links_each_document_to_the_guarded_view(world, private_root, client):
    attachment = attach(world, complaint(world), "scan.pdf", PDF)
    client.force_login(world.head)
    page = client.get(f"/cases/{attachment.case_id}/").content.decode()
    assert f'href="/cases/{attachment.case_id}/documents/{attachment.pk}/"' in page
    download = client.get(f"/cases/{attachment.case_id}/documents/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content if download.streaming else
                                                    [download.content]) == PDF


def test_files_of_rolled_back_acts_are_purged_once_old_and_named_ones_kept(world, private_root):
    from django.db import transaction

    case = complaint(world)
    kept = attach(world, case, "giu-lai.pdf", PDF)
    with pytest.raises(RuntimeError), transaction.atomic():
        attach(world, case, "bo-di.pdf", PDF)
        raise RuntimeError("the act rolled back after the file was written")
    files = sorted(p.name for p in (private_root / documents.ATTACHMENTS_FOLDER).rglob("*.pdf"))
    assert len(files) == 2 and case.attachments.count() == 1

    # too young: an act may still be running
    assert documents.purge_orphan_files(older_than=dt.timedelta(hours=1)) == 0
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)
    assert documents.purge_orphan_files(older_than=dt.timedelta(hours=1), now=later) == 1
    left = [p for p in (private_root / documents.ATTACHMENTS_FOLDER).rglob("*") if p.is_file()]
    assert [p.relative_to(private_root).as_posix() for p in left] == [kept.file.name]
