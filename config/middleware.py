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
