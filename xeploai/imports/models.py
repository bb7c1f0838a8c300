"""An import started from the web page: its file, who started it, how far it is, and what it
found. The work runs in the background worker (`xeploai db_worker`)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xeploai.core.storage import PrivateStorage


class UploadStorage(PrivateStorage):
    """Where uploaded files wait for the worker; each is deleted once its import has run
    (tasks.py)."""


UPLOADS = UploadStorage()
UPLOAD_FOLDER = "imports"


class ImportState(models.TextChoices):
    QUEUED = "QUEUED", _("Đang chờ xử lý")
    RUNNING = "RUNNING", _("Đang nhập")
    DONE = "DONE", _("Đã xong")
    REFUSED = "REFUSED", _("Tệp bị từ chối")
    FAILED = "FAILED", _("Lỗi hệ thống: không ghi dòng nào")


class ImportRun(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("loại dữ liệu"), max_length=16)
    file = models.FileField(_("tệp"), upload_to=f"{UPLOAD_FOLDER}/", storage=UPLOADS)  # "" once run
    file_name = models.CharField(_("tên tệp"), max_length=255)
    dry_run = models.BooleanField(_("chỉ kiểm tra, không ghi"), default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người nhập"),
    )
    created = models.DateTimeField(_("lúc gửi"), auto_now_add=True)
    started = models.DateTimeField(_("bắt đầu"), null=True, blank=True)
    finished = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    state = models.CharField(
        _("trạng thái"), max_length=8, choices=ImportState.choices, default=ImportState.QUEUED
    )
    created_count = models.PositiveIntegerField(_("thêm mới"), default=0)
    updated_count = models.PositiveIntegerField(_("cập nhật"), default=0)
    unchanged_count = models.PositiveIntegerField(_("không đổi"), default=0)
    error_count = models.PositiveIntegerField(_("số lỗi"), default=0)
    errors = models.JSONField(_("lỗi"), default=list, blank=True)  # [[row, column, message]]

    class Meta:
        verbose_name = _("lần nhập dữ liệu")
        verbose_name_plural = _("các lần nhập dữ liệu")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.file_name}"

    @property
    def finished_work(self) -> bool:
        return self.state in FINISHED

    def drop_file(self) -> None:
        """Delete the uploaded file once the import has run: the run's page and its error
        report read only what the run recorded, and the file holds personal data."""
        if self.file.name:
            self.file.storage.delete(self.file.name)
            self.file.name = ""
            self.save(update_fields=["file"])


FINISHED = (ImportState.DONE, ImportState.REFUSED, ImportState.FAILED)
