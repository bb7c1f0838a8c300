from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "xeploai.integrity"
    verbose_name = _("Dấu hiệu cần xem lại")
