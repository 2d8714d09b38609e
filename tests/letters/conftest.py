"""Cases in the state each letter needs, built through the services like real ones."""
import datetime as dt
import io
import re
import unicodedata

import pytest

from cases import services
from cases.models import Case
from tests.cases.conftest import World, complaint_kwargs, denunciation_kwargs
from tests.factories import aware

D = dt.date
RECEIVED, ACCEPTED, DECIDED = D(2026, 7, 6), D(2026, 7, 8), D(2026, 7, 24)
ISSUED = D(2026, 7, 27)
DENOUNCER = {"full_name": "Trần Thị Bích Ngọc", "id_number": "079190001234", "phone": "0912345678",
             "address": "Số 12 đường Lê Lợi, thôn Đông"}


@pytest.fixture
def world(db):
    return World()


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")


def pdf_text(data: bytes) -> str:
    """The PDF's text as pypdf reads it back: NFC, whitespace collapsed."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


def embedded_fonts(data: bytes) -> dict[str, bytes]:
    """Each font embedded in the PDF (those with a font file): its name and its font program."""
    from pypdf import PdfReader

    fonts = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptors = [font.get("/FontDescriptor")] + [
                d.get_object().get("/FontDescriptor") for d in font.get("/DescendantFonts", [])]
            for descriptor in filter(None, descriptors):
                descriptor = descriptor.get_object()
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor:
                        fonts[str(descriptor["/FontName"])] = descriptor[key].get_object().get_data()
    return fonts


def pdf_fonts(data: bytes) -> set[str]:
    """The names of the fonts embedded in the PDF (those with a font file)."""
    return set(embedded_fonts(data))


def intake(world, kind="complaint", **kw):
    make = complaint_kwargs if kind == "complaint" else denunciation_kwargs
    if kind == "denunciation":
        kw.setdefault("petitioners", [dict(DENOUNCER)])
    return services.case_intake(**make(world, received=RECEIVED, **kw)).case


def accepted(world, kind="complaint", **kw):
    case = intake(world, kind, **kw)
    return services.case_accept(case=case, actor=world.head, now=aware(ACCEPTED))


def verifying(world, kind="complaint", **kw):
    case = accepted(world, kind, **kw)
    services.case_assign(case=case, actor=world.head, handler=world.handler, now=aware(ACCEPTED))
    services.case_start_verification(case=case, actor=world.handler, now=aware(ACCEPTED))
    services.case_record_verification(case=case, actor=world.handler, findings="Khác yêu cầu.",
                                      findings_differ=kind == "complaint", now=aware(ACCEPTED))
    return Case.objects.get(pk=case.pk)


def with_dialogue(world):
    case = verifying(world)
    services.case_schedule_dialogue(case=case, actor=world.handler, scheduled_at=aware(D(2026, 7, 20), 9),
                                    place="Trụ sở UBND xã A", participants=["Người khiếu nại", "Người bị khiếu nại"],
                                    now=aware(D(2026, 7, 10)))
    return Case.objects.get(pk=case.pk)


def decided(world):
    case = with_dialogue(world)
    services.case_record_dialogue(case=case, actor=world.handler, minutes="Đã đối thoại.",
                                  attendance=["Người khiếu nại"], now=aware(D(2026, 7, 20), 11))
    return services.case_decide(case=Case.objects.get(pk=case.pk), actor=world.head, decision_number="20/QĐ",
                                summary="Giữ nguyên quyết định thu hồi đất.", now=aware(DECIDED))


def concluded(world):
    case = verifying(world, "denunciation")
    return services.case_decide(case=case, actor=world.head, conclusion_number="3/KL",
                                summary="Tố cáo đúng một phần.", measures="Kiểm điểm cán bộ địa chính.",
                                now=aware(DECIDED))


def refused(world):
    case = intake(world)
    return services.case_refuse(case=case, actor=world.head, ground="in_court", now=aware(ACCEPTED))


def guided(world):
    case = intake(world)
    return services.case_guide(case=case, actor=world.reception, instructions="Gửi đơn đến Tòa án nhân dân tỉnh A.",
                               now=aware(ACCEPTED))


def forwarded(world):
    case = intake(world)
    return services.case_forward(case=case, actor=world.reception, to_body="Thanh tra tỉnh A", now=aware(ACCEPTED))


def extended(world):
    case = accepted(world, "denunciation", complexity="complex", complexity_grounds="Nhiều nơi")
    return services.case_extend(case=case, actor=world.head, grounds="Cần xác minh thêm tại nhiều nơi.", days=10,
                                now=aware(D(2026, 7, 20)))


def suspended(world):
    case = accepted(world, "denunciation")
    return services.case_suspend(case=case, actor=world.head, ground="await_expert", grounds="Chờ giám định chữ ký.",
                                 now=aware(D(2026, 7, 10)))


def resumed(world):
    case = suspended(world)
    return services.case_resume(case=case, actor=world.head, ground=_resume_ground(case),
                                now=aware(D(2026, 7, 20)))


def _resume_ground(case):
    from cases import grounds

    return str(grounds.RESUMPTION_GROUNDS[case.kind][0])


# letter type → (a case that allows it, who issues it)
SUITABLE = {
    "receipt": (intake, "reception"),
    "acceptance": (accepted, "head"),
    "refusal": (refused, "head"),
    "guidance": (guided, "reception"),
    "forwarding": (forwarded, "reception"),
    "dialogue_invitation": (with_dialogue, "handler"),
    "extension": (extended, "head"),
    "suspension": (suspended, "head"),
    "resumption": (resumed, "head"),
    "decision": (decided, "head"),
    "conclusion": (concluded, "head"),
}
