"""Vietnamese first: the interface language is the user's explicit choice, else Vietnamese."""
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's, but the browser's Accept-Language is not consulted.

    Office PCs often run English browsers; the engine's users work in
    Vietnamese unless they pick English with the switcher (a cookie).
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class DatabaseOutageMiddleware:
    """A database that does not answer is an outage, not a bug: our 503 page, with Retry-After.

    Exceptions raised by a view land here (``process_exception``); those raised
    elsewhere in the chain (a session saved on the way out) reach
    ``config.views.server_error``, which answers the same way.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from .views import is_database_outage, outage_response

        if is_database_outage(exception):
            return outage_response(request, exception)
        return None
