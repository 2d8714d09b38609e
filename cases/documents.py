"""Case documents: what may be filed, under which name, and who may read it back.

* The type is sniffed from the content (``filetype``; a text check for ``.txt``)
  and must agree with the extension: an HTML page or an executable named
  ``.pdf`` is refused.
* The stored name is ours: the basename only, reduced to safe characters,
  behind a random prefix; the folder is ``PRIVATE_MEDIA_ROOT``, outside any web
  root (``cases.storage``).
* A document is served only by ``download``, after the access policy: out of
  scope is a 404 that reveals nothing; in a protected case (a denunciation)
  only the officers of reference §5 may open it — scans carry the denouncer's
  name and handwriting — and every look is logged, granted or refused.
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import secrets
import unicodedata
import zipfile
from pathlib import Path

import filetype
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy

from .errors import InvalidInput
from .identity import is_protected, record_look
from .models import Attachment

MAX_BYTES = 20 * 1024 * 1024

#: extension → the content types (as sniffed) a file of that name may have, and the type it is served as.
OLE2 = "application/x-ole-storage"
KINDS: dict[str, tuple[frozenset[str], str]] = {
    "pdf": (frozenset({"application/pdf"}), "application/pdf"),
    "jpg": (frozenset({"image/jpeg"}), "image/jpeg"),
    "jpeg": (frozenset({"image/jpeg"}), "image/jpeg"),
    "png": (frozenset({"image/png"}), "image/png"),
    "tif": (frozenset({"image/tiff"}), "image/tiff"),
    "tiff": (frozenset({"image/tiff"}), "image/tiff"),
    # Office 97-2003 files are OLE2 containers; filetype names some of them, the signature covers the rest.
    "doc": (frozenset({"application/msword", OLE2}), "application/msword"),
    "xls": (frozenset({"application/vnd.ms-excel", OLE2}), "application/vnd.ms-excel"),
    "docx": (frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "odt": (frozenset({"application/vnd.oasis.opendocument.text"}), "application/vnd.oasis.opendocument.text"),
    "txt": (frozenset({"text/plain"}), "text/plain; charset=utf-8"),
}
EXTENSIONS = frozenset(KINDS)

_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The part a real OOXML package always holds (filetype only looks at the first entries).
_OOXML_PARTS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
}
_MARKUP = re.compile(rb"^\s*<(?:!doctype|html|head|body|script|svg|\?xml|iframe|object|meta)\b", re.IGNORECASE)


def display_name(name: str) -> str:
    """The basename as the user gave it (either slash), without control characters: for the trail."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()[:200]


def extension_of(name: str) -> str:
    base = display_name(name)
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def safe_name(name: str) -> str:
    """``<random>-<ascii basename>.<ext>``: no folder, no '..', nothing a file system or a header reads twice."""
    base = display_name(name).replace("đ", "d").replace("Đ", "D")
    ascii_only = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem = ascii_only.rsplit(".", 1)[0] if "." in ascii_only else ascii_only
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")[:60] or "document"
    return f"{secrets.token_hex(8)}-{stem}.{extension_of(name)}"


def _read_head(file, size: int = 8192) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return bytes(head)


def _is_plain_text(file) -> bool:
    """UTF-8 (or UTF-16 with its mark) text with no NUL and no markup at the start."""
    file.seek(0)
    data = bytes(file.read(MAX_BYTES + 1))
    file.seek(0)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return False
    if b"\x00" in data or _MARKUP.match(data.removeprefix(b"\xef\xbb\xbf")):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def sniff(file, extension: str) -> str | None:
    """The content type the bytes show, in the vocabulary of ``KINDS`` (None when unknown)."""
    head = _read_head(file)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if extension in _OOXML_PARTS and head.startswith(b"PK\x03\x04"):
        try:
            file.seek(0)
            with zipfile.ZipFile(file) as package:
                if _OOXML_PARTS[extension] in package.namelist():
                    mime = KINDS[extension][1]
        except zipfile.BadZipFile:
            pass
        finally:
            file.seek(0)
    if mime is None and head.startswith(_OLE2_SIGNATURE):
        mime = OLE2
    if mime is None and extension == "txt" and _is_plain_text(file):
        mime = "text/plain"
    return mime


def validate_upload(file) -> tuple[str, int]:
    """Refuse what may not be filed (InvalidInput, a 400); return the extension and the size."""
    name = getattr(file, "name", "") or ""
    extension = extension_of(name)
    if extension not in EXTENSIONS:
        raise InvalidInput(_("this kind of file cannot be attached (%(ext)s)") % {"ext": extension or "?"}, field="file")
    size = getattr(file, "size", None) or 0
    if not size:
        raise InvalidInput(_("the file is empty"), field="file")
    if size > MAX_BYTES:
        raise InvalidInput(_("the file is larger than %(mb)d MB") % {"mb": MAX_BYTES // 2**20}, field="file")
    if sniff(file, extension) not in KINDS[extension][0]:
        raise InvalidInput(
            _("the file's content is not a %(ext)s document; attach the original file") % {"ext": extension.upper()},
            field="file",
        )
    return extension, size


@login_required
def download(request, case_pk: int, pk: int):
    """One document of a case, as an attachment, never cached, never sniffed by the browser."""
    attachment = Attachment.objects.select_related("case").filter(pk=pk, case_id=case_pk).first()
    if attachment is None:
        raise Http404
    case = attachment.case
    in_scope = policy.may_view_case(request.user, case)
    if is_protected(case):
        allowed = in_scope and policy.may_see_identity(request.user, case)
        record_look(user=request.user, case=case, purpose="document", granted=allowed)
        if in_scope and not allowed:
            raise PermissionDenied(_("Only the officers named by the law may open the documents of a denunciation."))
    if not in_scope:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    extension = extension_of(attachment.file.name)
    filename = posixpath.basename(attachment.file.name).split("-", 1)[-1]
    response = FileResponse(handle, as_attachment=True, filename=filename,
                            content_type=KINDS.get(extension, ((), "application/octet-stream"))[1])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


#: Where uploads are stored in the private folder (``Attachment.file``'s ``upload_to``).
ATTACHMENTS_FOLDER = "attachments"


def purge_orphan_files(*, older_than: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Delete uploaded files that no document row names, once older than ``older_than``.

    A file is written before its row commits; when the act then rolls back (a refused intake,
    a conflict) the file stays behind, unnamed. The age margin leaves alone files whose act is
    still running. Returns how many files were deleted.
    """
    storage = Attachment._meta.get_field("file").storage
    cutoff = (now or timezone.now()) - older_than
    root = Path(storage.path(ATTACHMENTS_FOLDER))
    if not root.is_dir():
        return 0
    found = {}
    for path in root.rglob("*"):
        if path.is_file() and dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc) < cutoff:
            found[path.relative_to(storage.path("")).as_posix()] = path
    deleted = 0
    names = sorted(found)
    for start in range(0, len(names), 500):
        chunk = names[start:start + 500]
        named = set(Attachment.objects.filter(file__in=chunk).values_list("file", flat=True))
        for name in chunk:
            if name not in named:
                found[name].unlink(missing_ok=True)
                deleted += 1
    return deleted
