"""Legal citations as the page's language reads them ("LKN Art 28" → "Điều 28, Luật Khiếu nại")."""
from django import template

from cases.citizen import cite as cite_source

register = template.Library()


@register.filter
def cite(source) -> str:
    """Each part of a "; "-separated basis spelled out in the active language."""
    return "; ".join(cite_source(part.strip()) for part in str(source or "").split(";") if part.strip())
