"""Export files prepared in the background for one programme administrator."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def export_path(instance, filename):
    return f"exports/{instance.requested_by_id}/{instance.pk}/{filename}"


class ExportJob(models.Model):
    """An export written by a Celery task to the file storage; only the administrator who asked may fetch it."""

    class Kind(models.TextChoices):
        PARTNERS = "partners", _("Partner organisations")
        PEOPLE = "people", _("People and their roles")
        PROPOSALS = "proposals", _("Proposals with their resource requests")
        REVIEWS = "reviews", _("Review assignments and reviews")
        DECISIONS = "decisions", _("Decisions")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being written")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Deleted after the retention period")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("requested by")
    )
    kind = models.CharField(_("export"), max_length=20, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows to write"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(upload_to=export_path, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export file")
        verbose_name_plural = _("export files")
        indexes = [models.Index(fields=["requested_by", "-created_at"]), models.Index(fields=["status", "finished_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_format_display()})"

    @property
    def is_pending(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent_done(self):
        if not self.rows_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.rows_done * 100 // self.rows_total)
