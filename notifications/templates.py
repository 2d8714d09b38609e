"""Find a message's template (the admin's copy, else the built-in one) and render it in the sandbox."""
from .defaults import TEMPLATES
from .models import MessageTemplate
from .templating import render


def template_for(key: str, language: str) -> tuple[str, str, str]:
    row = MessageTemplate.objects.filter(key=key, language=language).values_list("subject", "body", "sms").first()
    if row:
        return row
    texts = TEMPLATES.get(key, {})
    found = texts.get(language) or texts.get("vi")
    if not found:
        raise LookupError(f"no message template {key!r}")
    return found


def render_message(key: str, language: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, SMS text) as plain text; the e-mail's HTML part is escaped from the text."""
    subject, body, sms = template_for(key, language)
    return (render(subject, context, autoescape=False).replace("\n", " "),
            render(body, context, autoescape=False),
            render(sms, context, autoescape=False) if sms else "")
