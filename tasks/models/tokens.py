"""API tokens (django-rest-knox's model, swapped in by ``KNOX_TOKEN_MODEL``): only a SHA-512 digest of each
token is stored; the token itself is shown once, when it is made (tasks.services.api_tokens)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """One API token of a user: its digest (the key), its first characters (``token_key``, to tell tokens
    apart and to find a presented token's row), when it was made, expires and was last used."""

    name = models.CharField(_("用途"), max_length=100, blank=True)
    last_used = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.token_key}… ({self.user})"
