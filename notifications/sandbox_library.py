"""The only tags and filters a message template may use (``notifications.templating``).

No tag that loads, includes, extends, resolves URLs or dumps the context: a
template edited in the admin can format the data it is given and nothing else.
"""
from django import template
from django.template import defaultfilters, defaulttags

register = template.Library()

SAFE_TAGS = ("if", "for", "with", "firstof", "spaceless", "comment")
for _name in SAFE_TAGS:
    register.tag(_name, defaulttags.register.tags[_name])

SAFE_FILTERS = ("date", "default", "default_if_none", "upper", "lower", "title", "capfirst", "join", "length",
                "linebreaksbr", "truncatechars", "truncatewords", "yesno", "pluralize", "floatformat", "first",
                "last", "wordwrap", "escape", "striptags")
for _name in SAFE_FILTERS:
    register.filter(_name, defaultfilters.register.filters[_name])
