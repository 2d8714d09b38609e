"""The viewflow process that carries one Case through its human tasks."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process


class CaseProcess(Process):
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="process", verbose_name=_("case"))

    class Meta:
        verbose_name = _("case process")
        verbose_name_plural = _("case processes")
