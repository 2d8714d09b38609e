"""Where case documents are kept: a private folder outside any web root, with no URL.

``MEDIA_URL`` is routed nowhere; a document is read only through
``cases.documents.download``, which asks the access policy first — and that
view is what ``attachment.file.url`` gives (the admin's link, templates).
"""
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """``settings.PRIVATE_MEDIA_ROOT``, files 0600 and folders 0700; ``url()`` names the guarded view."""

    def __init__(self):
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @cached_property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        """Not a file URL: the permission-checked download view of the document stored under ``name``."""
        from django.urls import reverse

        from .models import Attachment

        found = Attachment.objects.filter(file=name).values_list("case_id", "pk").first()
        if found is None:
            raise ValueError("not a case document: private files have no URL")
        return reverse("case_document", args=found)


_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    """The storage of ``Attachment.file`` (a callable, so migrations name it instead of a path)."""
    return _storage
