"""The API's token authentication: django-rest-knox's (a presented token is hashed and compared with the
stored digests of the tokens that share its first characters; expired ones are deleted), recording when a
token was last used, at most once a minute so a client's burst of requests writes one row once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from tasks.models import ApiToken

LAST_USED_EVERY = timedelta(minutes=1)


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:  # knox would raise it (a 500); a token is hex
            raise AuthenticationFailed(_("Invalid token.")) from None
        user, api_token = super().authenticate_credentials(token)
        now = timezone.now()
        if api_token.last_used is None or now - api_token.last_used >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used=now)
            api_token.last_used = now
        return user, api_token


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's ``tokenAuth``: `Authorization: Token <key>`, as DRF's own token scheme was described."""

    target_class = "tasks.api.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="HTTP_AUTHORIZATION", token_prefix="Token")
