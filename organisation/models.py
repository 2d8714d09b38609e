"""Administrative units and who works in them.

Units form a tree of any depth. The ``path`` column (``/1/4/9/``) makes
ancestor and descendant checks one indexed comparison instead of a walk.
Former district-level units stay in the tree with ``valid_to`` set
(district level was abolished on 1 Jul 2025, reference §0).
"""
import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District (former)")
    COMMUNE = "commune", _("Commune / ward / special zone")
    DEPARTMENT = "department", _("Provincial department")
    OTHER = "other", _("Other body")


class Unit(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("tree path"), max_length=255, editable=False, db_index=True, default="")
    is_remote = models.BooleanField(
        _("remote or hard-to-reach area"), default=False, help_text=_("Vùng sâu, vùng xa: longer statutory periods apply.")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    compiles_reports = models.BooleanField(
        _("compiling office for reports"), default=False, db_default=False,  # rows written by older code or raw SQL
        help_text=_("The home-affairs office of the people's committee above it: its members see the periodic "
                    "reports of every unit under that committee and track who has not reported."),
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs = {k: v for k, v in kwargs.items() if k not in ("force_insert",)}
            kwargs["force_insert"] = False
        parent_path = self.parent.path if self.parent_id else "/"
        new_path = f"{parent_path}{self.pk}/"
        old_path = self.path
        self.path = new_path
        super().save(*args, **kwargs)
        if old_path and old_path != new_path:
            for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                child.path = new_path + child.path[len(old_path):]
                Unit.objects.filter(pk=child.pk).update(path=child.path)

    def is_ancestor_of(self, other: "Unit") -> bool:
        return other.path.startswith(self.path) and other.pk != self.pk

    def is_active_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def superior_on(self, day) -> tuple["Unit | None", list["Unit"]]:
        """The nearest unit above this one that exists on ``day``, and the abolished ones passed over
        (a district dissolved on 1/7/2025 hands its role to the province above it). One query."""
        ids = [int(part) for part in self.path.strip("/").split("/") if part and int(part) != self.pk]
        ancestors = sorted(Unit.objects.filter(pk__in=ids), key=lambda unit: len(unit.path), reverse=True)
        skipped = []
        for unit in ancestors:
            if unit.is_active_on(day):
                return unit, skipped
            skipped.append(unit)
        return None, skipped


class Role(models.TextChoices):
    RECEPTION = "reception", _("Reception desk")
    HANDLER = "handler", _("Handler")
    HEAD = "head", _("Head / supervisor")
    ADMIN = "admin", _("Administrator")


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership")]
        indexes = [models.Index(fields=["unit", "role"])]

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class MembershipChange(models.Model):
    """Append-only record of every grant, change and revocation of a membership.

    Written by ``organisation.services`` in the same transaction as the change;
    shown to the heads of the unit concerned and the units above it. ``old`` and
    ``new`` hold the role, unit and validity dates before and after (``{}`` for
    none); ``membership_id`` outlives the membership it names.
    """

    class Action(models.TextChoices):
        GRANT = "grant", pgettext_lazy("membership change", "granted")
        CHANGE = "change", pgettext_lazy("membership change", "changed")
        REVOKE = "revoke", pgettext_lazy("membership change", "revoked")

    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("Empty when the change came from a management command."),
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="membership_changes")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    membership_id = models.BigIntegerField(_("membership"), null=True, blank=True)
    old = models.JSONField(_("before"), default=dict, blank=True)
    new = models.JSONField(_("after"), default=dict, blank=True)

    class Meta:
        verbose_name = _("membership change")
        verbose_name_plural = _("membership changes")
        ordering = ["-at", "-pk"]
        # The database itself refuses UPDATE and DELETE on PostgreSQL (as for case events).
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]
        indexes = [models.Index(fields=["unit", "at"], name="membership_change_unit_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.user} · {self.unit} · {self.get_role_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("MembershipChange rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("MembershipChange rows are append-only.")
