from django.contrib.staticfiles import finders


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    """The apps' static folders without the npm leftovers viewflow ships under ``*/node_modules/``.

    No page uses them, and one of them (a second roboto-fontface.css) points at fonts that are not
    there, which makes the manifest storage abort collectstatic.

    Nor drf-spectacular-sidecar's ReDoc bundle (5 MB): /api/docs/ is Swagger UI, and every collected file
    is compressed twice at each collectstatic.
    """

    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), "node_modules", "redoc"])
