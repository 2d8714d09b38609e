"""Message templates rendered in a sandbox.

A fresh ``Engine`` with no loaders and only ``sandbox_library``'s tags and
filters (not Django's default builtins), autoescaping on, and a context of
plain data only (strings, numbers, dates, lists, dicts): a template edited in
the admin cannot reach a model, a method, a setting or another template.
"""
import datetime as dt

from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext as _

PLAIN_TYPES = (str, int, float, bool, type(None), dt.date, dt.datetime)


class SandboxEngine(Engine):
    default_builtins = []  # not defaulttags/defaultfilters/loader_tags: only the sandbox library


_engine = None


def engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = SandboxEngine(loaders=[], libraries={}, builtins=["notifications.sandbox_library"],
                                autoescape=True, debug=False, string_if_invalid="")
    return _engine


def plain(value):
    """The value if it is plain data (recursively); a model or any other object is refused."""
    if isinstance(value, PLAIN_TYPES):
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    raise TypeError(f"not plain data: {type(value).__name__}")


def render(source: str, context: dict, *, autoescape: bool = True) -> str:
    """Render one template text; a syntax error is a ``ValueError`` with a readable message."""
    try:
        template = engine().from_string(source)
    except TemplateSyntaxError as exc:
        raise ValueError(_("The template is not valid: %(error)s") % {"error": exc}) from None
    return template.render(Context(plain(context), autoescape=autoescape)).strip()


def check(source: str) -> None:
    """Raise ``ValueError`` if the text does not compile in the sandbox (admin form validation)."""
    render(source, {})
