"""What each letter says, when the case allows it, and who may issue it.

Every letter type has a rule over the case's recorded facts (``problems``: an
empty list means the letter may be issued) and a builder that gathers its text
from those facts. Letters are official documents and are written in Vietnamese
whatever the user's language: the builders run under ``translation.override("vi")``.

A letter to the accused (a denunciation's acceptance, extension, suspension,
resumption or conclusion) is built without the petitioners at all; its free
texts are scrubbed of every identity value of the case, and ``leaked_identity``
checks the rendered text once more before anything is stored (reference §5).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from access import policy
from cases import grounds as legal_grounds
from cases import rules as case_rules
from cases.identity import IDENTITY_FIELDS, redacted_content
from cases.models import Case, CaseNotice, Dialogue, Status
from deadlines import clock
from deadlines.models import CaseKind

from .models import Audience, LetterType

# The type abbreviation of the symbol (NĐ 30/2020 Appendix III).
TYPE_ABBREVIATIONS = {
    LetterType.RECEIPT: "GBN",
    LetterType.ACCEPTANCE: "TB",
    LetterType.REFUSAL: "TB",
    LetterType.GUIDANCE: "HD",
    LetterType.FORWARDING: "PC",
    LetterType.DIALOGUE_INVITATION: "GM",
    LetterType.EXTENSION: "QĐ",
    LetterType.SUSPENSION: "TB",
    LetterType.RESUMPTION: "TB",
    LetterType.DECISION: "QĐ",
    LetterType.CONCLUSION: "KL",
}

# Letters the law gives the accused of a denunciation (LTC Arts 29(3), 30, 34, 35; reference §3.2).
ACCUSED_TYPES = (LetterType.ACCEPTANCE, LetterType.EXTENSION, LetterType.SUSPENSION, LetterType.RESUMPTION,
                 LetterType.CONCLUSION)
# Letters of the reception desk, issued in the receiving unit's name.
RECEPTION_TYPES = (LetterType.RECEIPT, LetterType.GUIDANCE, LetterType.FORWARDING)

KIND_NAMES = {
    CaseKind.COMPLAINT: "khiếu nại",
    CaseKind.DENUNCIATION: "tố cáo",
    CaseKind.RECOMMENDATION: "kiến nghị",
    CaseKind.FEEDBACK: "phản ánh",
}

_LAWS = {
    "LKN": "Luật Khiếu nại",
    "LTC": "Luật Tố cáo",
    "LTCD": "Luật Tiếp công dân",
    "NĐ": "Nghị định",
    "TT": "Thông tư",
}
_CLAUSES = r"(?:\(\w+\))*"
_ARTICLE = rf"\d+[a-z]?{_CLAUSES}(?:\s*[–-]\s*(?:\d+[a-z]?)?{_CLAUSES})?"
_CITATION = re.compile(
    rf"\b(LKN|LTCD|LTC|NĐ|TT)(\s+[\d/]+)?\s+Arts?\s+({_ARTICLE}(?:,\s*(?:{_ARTICLE}|\(\w+\){_CLAUSES}))*)")


def vietnamese_basis(basis: str) -> str:
    """"LKN Arts 27, 36; NĐ 155/2026 Art 10" → "Điều 27, 36 Luật Khiếu nại; Điều 10 Nghị định 155/2026";
    a clause stays with its article ("TT 07/2014 Art 7(2)" → "Điều 7(2) Thông tư 07/2014")."""
    def cite(match: re.Match) -> str:
        law, number, articles = match.group(1), (match.group(2) or "").strip(), match.group(3).strip()
        return f"Điều {articles} {_LAWS[law]}{' ' + number if number else ''}"

    return _CITATION.sub(cite, basis or "").replace("–", "-")


def vn_date(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "…"


def vn_long_date(day: dt.date) -> str:
    """The date line of an administrative document: "ngày 08 tháng 7 năm 2026" (days and months 1–2 below 10
    carry a leading zero, NĐ 30/2020 Appendix I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


@dataclass
class LetterText:
    """The parts of a letter the layout prints."""

    title: str
    subtitle: str = ""
    salutation: str = ""
    paragraphs: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    legal_basis: str = ""
    recipients: list[str] = field(default_factory=list)


def _event(case: Case, action: str):
    return case.events.filter(action=action).order_by("-at", "-pk").first()


def _latest_notice(case: Case, purpose: str) -> CaseNotice | None:
    return case.notices.filter(purpose=purpose).order_by("-decided_on", "-pk").first()


def _ground_label(code: str) -> str:
    for choices in (legal_grounds.SuspensionGround, legal_grounds.ResumptionGround):
        if code in choices.values:
            return str(choices(code).label)
    return code or ""


# --- the rules: which facts allow which letter ------------------------------------------------

def _accepted(case: Case) -> list[str]:
    return [] if case.accepted_on else [_("the case has not been accepted")]


def _refused(case: Case) -> list[str]:
    if case.status != Status.NOT_ACCEPTED or not case.refusal_ground:
        return [_("the case was not refused on a ground of the law")]
    return []


def _guided(case: Case) -> list[str]:
    return [] if case.status == Status.GUIDED else [_("the petitioner was not given guidance in this case")]


def _forwarded(case: Case) -> list[str]:
    return [] if case.status == Status.FORWARDED else [_("the case was not forwarded")]


def _dialogue_scheduled(case: Case) -> list[str]:
    scheduled = case.dialogues.filter(state=Dialogue.State.SCHEDULED).exists()
    return [] if scheduled else [_("no dialogue is scheduled")]


def _extended(case: Case) -> list[str]:
    return [] if case.extensions and _event(case, "extend") else [_("the resolution period was not extended")]


def _notice_of(purpose: str, message: str) -> Callable[[Case], list[str]]:
    def check(case: Case) -> list[str]:
        return [] if _latest_notice(case, purpose) else [message]
    return check


def _decided_complaint(case: Case) -> list[str]:
    if case.kind != CaseKind.COMPLAINT:
        return [_("only a complaint ends in a decision; a denunciation ends in a conclusion")]
    return [] if case.decided_on else [_("the complaint has not been decided")]


def _concluded_denunciation(case: Case) -> list[str]:
    if case.kind != CaseKind.DENUNCIATION:
        return [_("only a denunciation ends in a conclusion")]
    return [] if case.decided_on else [_("the denunciation has not been concluded")]


RULES: dict[str, Callable[[Case], list[str]]] = {
    LetterType.RECEIPT: lambda case: [],
    LetterType.ACCEPTANCE: _accepted,
    LetterType.REFUSAL: _refused,
    LetterType.GUIDANCE: _guided,
    LetterType.FORWARDING: _forwarded,
    LetterType.DIALOGUE_INVITATION: _dialogue_scheduled,
    LetterType.EXTENSION: _extended,
    LetterType.SUSPENSION: _notice_of(CaseNotice.Purpose.SUSPENSION, gettext_noop("the case was never suspended")),
    LetterType.RESUMPTION: _notice_of(CaseNotice.Purpose.RESUMPTION, gettext_noop("the case was never resumed")),
    LetterType.DECISION: _decided_complaint,
    LetterType.CONCLUSION: _concluded_denunciation,
}


def problems(case: Case, letter_type: str, audience: str = Audience.PETITIONER) -> list[str]:
    """Why the case does not allow this letter now (empty: it does)."""
    if letter_type not in RULES:
        return [_("unknown letter type %(type)s") % {"type": letter_type}]
    if audience == Audience.ACCUSED:
        if case.kind != CaseKind.DENUNCIATION:
            return [_("only a denunciation has an accused to write to")]
        if letter_type not in ACCUSED_TYPES:
            return [_("this letter is not sent to the accused")]
    found = RULES[letter_type](case)
    return [_(message) for message in found]


def may_issue(user, case: Case, letter_type: str) -> bool:
    """Who may act on that step: the reception desk's letters by those who route the case; the others by
    the case's handler or a head of its acting unit."""
    if letter_type in RECEPTION_TYPES:
        return policy.can_route(case, user)
    return policy.can_handle(case, user)


def issuing_unit_id(case: Case, letter_type: str) -> int:
    """The reception desk's letters go out in the receiving unit's name, the others in the acting unit's."""
    return case.receiving_unit_id if letter_type in RECEPTION_TYPES else policy.case_unit_id(case)


# --- the text -------------------------------------------------------------------------------

def identity_values(case: Case) -> list[str]:
    """Every identifying value of the case's petitioners (decrypted), longest first."""
    rows = case.petitioners.values_list(*IDENTITY_FIELDS)
    values = {value.strip() for row in rows for value in row if value and value.strip()}
    return sorted(values, key=len, reverse=True)


def scrub(text: str, values: list[str]) -> str:
    for value in values:
        text = re.sub(re.escape(value), "[…]", text, flags=re.IGNORECASE)
    return text


def leaked_identity(text: str, values: list[str]) -> list[str]:
    """The identity values that appear in ``text`` (case-insensitive)."""
    lowered = text.lower()
    return [value for value in values if value.lower() in lowered]


def _people(case: Case) -> list[dict]:
    return list(case.petitioners.filter(withdrawn_on__isnull=True).values(*IDENTITY_FIELDS))


def _addressee(case: Case) -> str:
    names = ", ".join(person["full_name"] for person in _people(case))
    return f"Ông/Bà {names}" if names else "Người gửi đơn"


def _case_facts(case: Case) -> list[tuple[str, str]]:
    return [
        ("Mã số hồ sơ", case.tracking_code),
        ("Loại đơn", f"Đơn {KIND_NAMES.get(case.kind, case.kind)}"),
        ("Ngày nhận đơn", vn_date(clock.legal_date(case.received_at))),
    ]


def build(case: Case, letter_type: str, audience: str, *, unit_name: str) -> LetterText:
    """The letter's text, from the case's facts (call under ``translation.override("vi")``)."""
    kind = KIND_NAMES.get(case.kind, case.kind)
    to_accused = audience == Audience.ACCUSED
    values = identity_values(case) if case.identity_protected else []

    def clean(text: str) -> str:
        return scrub(text or "", values) if to_accused else (text or "")

    facts = _case_facts(case)
    people = [] if to_accused else _people(case)
    petitioner_facts = [("Người gửi đơn", "; ".join(
        ", ".join(part for part in (p["full_name"], p["address"]) if part) for p in people))] if people else []
    party = f"Ông/Bà/Cơ quan {case.accused}" if to_accused and case.accused else "Người bị tố cáo"
    salutation = f"Kính gửi: {party}" if to_accused else f"Kính gửi: {_addressee(case)}"
    parties = ["Người bị tố cáo;", "Lưu: VT, hồ sơ."] if to_accused else ["Như trên;", "Lưu: VT, hồ sơ."]

    if letter_type == LetterType.RECEIPT:
        intake = _event(case, "intake")
        return LetterText(
            title="GIẤY BIÊN NHẬN", subtitle=f"Đơn {kind} và tài liệu, chứng cứ kèm theo",
            paragraphs=[f"{unit_name} đã nhận đơn {kind} cùng các tài liệu, chứng cứ kèm theo "
                        f"vào ngày {vn_date(clock.legal_date(case.received_at))}.",
                        "Người gửi đơn dùng mã số hồ sơ để tra cứu tình trạng giải quyết."],
            facts=[*facts, *petitioner_facts,
                   ("Số tài liệu kèm theo", str(case.attachments.count()))],
            legal_basis=(intake.legal_basis if intake else "") or "LTCD 42/2013 Art 26; TT 07/2014 Art 6",
            salutation=salutation, recipients=["Người gửi đơn;", "Lưu: VT, hồ sơ."])

    if letter_type == LetterType.ACCEPTANCE:
        event = _event(case, "accept")
        due = [("Thời hạn giải quyết", f"đến ngày {vn_date(case.resolution_due)}")] if case.resolution_due else []
        if to_accused:
            return LetterText(
                title="THÔNG BÁO", subtitle="Về nội dung tố cáo",
                paragraphs=[f"Ngày {vn_date(case.accepted_on)}, {unit_name} đã thụ lý giải quyết tố cáo đối với "
                            f"{case.accused or 'người bị tố cáo'}.",
                            f"Nội dung tố cáo: {clean(redacted_content(case))}",
                            "Đề nghị người bị tố cáo giải trình bằng văn bản và cung cấp thông tin, tài liệu, "
                            "chứng cứ liên quan."],
                facts=[("Mã số hồ sơ", case.tracking_code), *due],
                legal_basis="LTC Art 29(3); NĐ 31 Art 9(2)", salutation=salutation, recipients=parties)
        basis = (event.legal_basis if event else "") or ("LKN Arts 27, 36" if case.kind == CaseKind.COMPLAINT
                                                         else "LTC Art 29")
        return LetterText(
            title="THÔNG BÁO", subtitle=f"Về việc thụ lý giải quyết {kind}",
            paragraphs=[f"Ngày {vn_date(case.accepted_on)}, {unit_name} đã thụ lý giải quyết đơn {kind} "
                        f"nhận ngày {vn_date(clock.legal_date(case.received_at))}."],
            facts=[*facts, ("Ngày thụ lý", vn_date(case.accepted_on)), *due],
            legal_basis=basis, salutation=salutation, recipients=_notice_recipients(case))

    if letter_type == LetterType.REFUSAL:
        ground = case_rules.RefusalGround(case.refusal_ground)
        reason = case.status_reason if case.status_reason and case.status_reason != str(ground.label) else ""
        return LetterText(
            title="THÔNG BÁO", subtitle=f"Về việc không thụ lý giải quyết {kind}",
            paragraphs=[f"{unit_name} không thụ lý giải quyết đơn {kind} nhận ngày "
                        f"{vn_date(clock.legal_date(case.received_at))}, vì lý do sau:",
                        f"- {ground.label}." + (f" {reason}" if reason else "")],
            facts=facts, legal_basis=case_rules.refusal_basis(case.refusal_ground, case.kind, case.round) or "",
            salutation=salutation, recipients=_notice_recipients(case))

    if letter_type == LetterType.GUIDANCE:
        event = _event(case, "guide")
        instructions = (event.payload.get("instructions") if event else "") or case.status_reason
        return LetterText(
            title="VĂN BẢN HƯỚNG DẪN", subtitle=f"Về việc gửi đơn {kind} đến đúng cơ quan có thẩm quyền",
            paragraphs=[f"Đơn {kind} nhận ngày {vn_date(clock.legal_date(case.received_at))} không thuộc thẩm "
                        f"quyền giải quyết của {unit_name}. {unit_name} hướng dẫn như sau:", instructions],
            facts=facts, legal_basis=(event.legal_basis if event else "") or "TT 07/2014 Art 8",
            salutation=salutation, recipients=["Người gửi đơn;", "Lưu: VT, hồ sơ."])

    if letter_type == LetterType.FORWARDING:
        event = _event(case, "forward")
        to_body = (event.payload.get("to_body") if event else "") or case.status_reason
        return LetterText(
            title="PHIẾU CHUYỂN ĐƠN", subtitle=f"Về việc chuyển đơn {kind}",
            salutation=f"Kính gửi: {to_body}",
            paragraphs=[f"{unit_name} nhận được đơn {kind} ngày {vn_date(clock.legal_date(case.received_at))}. "
                        f"Đơn không thuộc thẩm quyền giải quyết của {unit_name}, nên chuyển đến {to_body} "
                        "để xem xét, giải quyết theo thẩm quyền và thông báo kết quả cho người gửi đơn."],
            facts=[*facts, *petitioner_facts],
            legal_basis=(event.legal_basis if event else "") or "TT 07/2014 Art 8",
            recipients=[f"{to_body};", "Người gửi đơn (để biết);", "Lưu: VT, hồ sơ."])

    if letter_type == LetterType.DIALOGUE_INVITATION:
        dialogue = case.dialogues.filter(state=Dialogue.State.SCHEDULED).order_by("-scheduled_at", "-pk").first()
        at = dialogue.scheduled_at.astimezone(clock.legal_zone())
        event = _event(case, "schedule_dialogue")
        return LetterText(
            title="GIẤY MỜI", subtitle=f"Đối thoại giải quyết {kind}",
            paragraphs=[f"{unit_name} trân trọng kính mời tham dự buổi đối thoại về nội dung đơn {kind} "
                        f"(mã số hồ sơ {case.tracking_code})."],
            facts=[("Thời gian", f"{at:%H} giờ {at:%M}, {vn_long_date(at.date())}"),
                   ("Địa điểm", dialogue.place),
                   ("Thành phần", "; ".join(str(p) for p in dialogue.participants)),
                   ("Ngày gửi giấy mời", vn_date(dialogue.invited_on))],
            legal_basis=(event.legal_basis if event else "") or "LKN Arts 30, 39; NĐ 124 Art 28",
            salutation=salutation, recipients=["Các thành phần được mời;", "Lưu: VT, hồ sơ."])

    if letter_type == LetterType.EXTENSION:
        event = _event(case, "extend")
        payload = event.payload
        return LetterText(
            title="QUYẾT ĐỊNH", subtitle=f"Về việc gia hạn thời hạn giải quyết {kind}",
            paragraphs=[f"Gia hạn thời hạn giải quyết {kind} (lần {payload.get('extension', case.extensions)}) "
                        f"thêm {payload.get('days', '…')} ngày.",
                        f"Lý do gia hạn: {clean(payload.get('grounds', ''))}",
                        f"Thời hạn giải quyết mới: đến ngày {vn_date(case.resolution_due)}."],
            facts=[("Mã số hồ sơ", case.tracking_code), ("Ngày thụ lý", vn_date(case.accepted_on))],
            legal_basis=event.legal_basis or "LTC Art 30; NĐ 31 Art 3", salutation=salutation,
            recipients=["Người tố cáo;", "Người bị tố cáo;", "Lưu: VT, hồ sơ."])

    if letter_type in (LetterType.SUSPENSION, LetterType.RESUMPTION):
        suspend = letter_type == LetterType.SUSPENSION
        notice = _latest_notice(case, CaseNotice.Purpose.SUSPENSION if suspend else CaseNotice.Purpose.RESUMPTION)
        ground = _ground_label(notice.grounds.get("code", ""))
        detail = clean(notice.grounds.get("text", ""))
        what = "tạm đình chỉ" if suspend else "tiếp tục"
        return LetterText(
            title="THÔNG BÁO", subtitle=f"Về việc {what} giải quyết {kind}",
            paragraphs=[f"Ngày {vn_date(notice.decided_on)}, {unit_name} quyết định {what} việc giải quyết "
                        f"{kind} (mã số hồ sơ {case.tracking_code}).",
                        f"Căn cứ {what}: {ground}." + (f" {detail}" if detail else "")],
            facts=[("Ngày quyết định", vn_date(notice.decided_on)),
                   *([("Số quyết định", notice.decision_number)] if notice.decision_number else [])],
            legal_basis=notice.legal_source or "", salutation=salutation,
            recipients=(parties if to_accused else ["Các bên liên quan;", "Lưu: VT, hồ sơ."]))

    if letter_type in (LetterType.DECISION, LetterType.CONCLUSION):
        event = _event(case, "decide")
        payload = event.payload if event else {}
        conclusion = letter_type == LetterType.CONCLUSION
        paragraphs = [f"Ngày {vn_date(case.decided_on)}, {unit_name} "
                      + ("kết luận nội dung tố cáo như sau:" if conclusion else "giải quyết khiếu nại như sau:"),
                      clean(payload.get("summary", ""))]
        if payload.get("outcome"):
            paragraphs.append(f"Kết quả: {clean(payload['outcome'])}")
        if conclusion and payload.get("measures"):
            paragraphs.append(f"Biện pháp xử lý: {clean(payload['measures'])}")
        decision_dates = []
        if not conclusion and case.appeal_due:
            decision_dates.append(("Hạn khiếu nại lần hai hoặc khởi kiện", vn_date(case.appeal_due)))
        recipients = ["Người tố cáo;", "Người bị tố cáo;", "Lưu: VT, hồ sơ."] if conclusion else \
            ["Người khiếu nại;", "Người bị khiếu nại;", "Thanh tra cùng cấp;", "Lưu: VT, hồ sơ."]
        return LetterText(
            title="KẾT LUẬN" if conclusion else "QUYẾT ĐỊNH",
            subtitle="Nội dung tố cáo" if conclusion else f"Về việc giải quyết khiếu nại (lần {case.round})",
            paragraphs=paragraphs,
            facts=[("Mã số hồ sơ", case.tracking_code),
                   *([] if to_accused else facts[1:]),
                   ("Ngày thụ lý", vn_date(case.accepted_on)), *decision_dates],
            legal_basis=(event.legal_basis if event else "") or ("LTC Art 35" if conclusion else "LKN Arts 31, 40"),
            salutation=salutation, recipients=recipients)

    raise ValueError(letter_type)


def _notice_recipients(case: Case) -> list[str]:
    """K2: the complainant, the inspectorate at the same level and the forwarding body; T3: the denouncer."""
    from cases.services import notice_recipients

    names = {"complainant": "Người khiếu nại;", "petitioner": "Người gửi đơn;", "denouncer": "Người tố cáo;",
             "inspectorate": "Thanh tra cùng cấp;", "forwarding_body": "Cơ quan chuyển đơn;"}
    return [names[who] for who in notice_recipients(case) if who in names] + ["Lưu: VT, hồ sơ."]
