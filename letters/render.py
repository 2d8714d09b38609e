"""HTML → PDF with weasyprint, imported only when a letter is made.

weasyprint needs pango at run time; a machine without it still starts the
project, and issuing a letter then fails with ``RendererUnavailable`` (a clear
message) instead of an ImportError at start-up. Fonts come from ``letters/fonts``
through file URLs, never from the system.
"""
import logging
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

HERE = Path(__file__).resolve().parent
STYLESHEET = HERE / "pdf" / "letter.css"
FONTS = HERE / "fonts"


class RendererUnavailable(RuntimeError):
    """weasyprint (or the pango library under it) is missing on this machine."""


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: weasyprint present, pango missing
        raise RendererUnavailable(
            _("PDF letters need weasyprint and the pango library, which this server lacks (%(error)s)")
            % {"error": error}) from None
    progress = logging.getLogger("weasyprint.progress")
    if progress.level == logging.NOTSET:  # its step-by-step INFO lines are noise in a server's log
        progress.setLevel(logging.WARNING)
    return weasyprint


def render_html(context: dict) -> str:
    return render_to_string("letters/letter_pdf.html", {**context, "stylesheet": STYLESHEET.as_uri()})


def to_pdf(html: str) -> bytes:
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return weasyprint.HTML(string=html, base_url=str(HERE)).write_pdf(font_config=fonts)
