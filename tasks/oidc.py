"""Single sign-on with OpenID Connect (the province's 统一身份认证, 浙政钉's), configured by environment.

mozilla-django-oidc does the protocol (authorization code flow, state, nonce, the ID token's signature checked
against the provider's JWKS); this module adapts it to the app:

- the provider's endpoints come from its discovery document (``OIDC_ISSUER`` + ``/.well-known/openid-
  configuration``), read once per process when the first login needs them, unless set one by one;
- a login is matched to a roster row, never creates an account: the claim ``OIDC_MATCH_CLAIM`` (by default
  ``phone_number``) must equal the profile field ``OIDC_MATCH_FIELD`` (``mobile``; or ``zzd_id``,
  ``dingtalk_id``, ``username``, ``email`` for a staff id) of exactly one active account. Nobody else gets in;
- a claim the provider marks unverified (``email_verified`` / ``phone_number_verified`` false) matches nobody:
  an address or number a person typed into their provider profile is not proof of owning it;
- beyond what mozilla-django-oidc checks, the ID token must be meant for this client (``aud``) and come from
  ``OIDC_ISSUER`` (``iss``), and the userinfo answer must be about the same person (``sub``), as OpenID Connect
  Core 3.1.3.7 and 5.3.2 require;
- a failed or refused login goes back to the login page, which says so; password login stays.
"""

from __future__ import annotations

import threading

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

MATCH_FIELDS = {"mobile": "profile__mobile", "zzd_id": "profile__zzd_id", "dingtalk_id": "profile__dingtalk_id",
                "username": "username", "email": "email__iexact"}
# The standard flag of a claim that can be typed in by its person (OpenID Connect Core 5.1).
VERIFIED_FLAGS = {"email": "email_verified", "phone_number": "phone_number_verified"}
DISCOVERED = {  # our setting -> the discovery document's key
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_discovery: dict[str, dict] = {}
_lock = threading.Lock()


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


def discovery(issuer: str) -> dict:
    """The provider's discovery document, fetched once per process and issuer."""
    with _lock:
        if issuer not in _discovery:
            url = issuer.rstrip("/") + "/.well-known/openid-configuration"
            response = requests.get(url, timeout=getattr(settings, "OIDC_TIMEOUT", 10))
            response.raise_for_status()
            document = response.json()
            if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
                raise ImproperlyConfigured(f"OIDC discovery at {url} names another issuer: {document.get('issuer')!r}")
            _discovery[issuer] = document
        return _discovery[issuer]


def oidc_setting(attr: str, *args):
    """A mozilla-django-oidc setting: set explicitly, else (an endpoint) from the issuer's discovery document."""
    value = getattr(settings, attr, None)
    if value:
        return value
    if attr in DISCOVERED and getattr(settings, "OIDC_ISSUER", ""):
        return discovery(settings.OIDC_ISSUER)[DISCOVERED[attr]]
    return import_from_settings(attr, *args)


class RosterOIDCBackend(OIDCAuthenticationBackend):
    """Logs in the one active account whose roster field equals the provider's claim; creates nobody."""

    @staticmethod
    def get_settings(attr, *args):
        return oidc_setting(attr, *args)

    def authenticate(self, request, **kwargs):
        if not enabled():
            return None
        return super().authenticate(request, **kwargs)

    def retrieve_matching_jwk(self, token):
        """The signing key by ``kid``; a token without one (optional in RFC 7515; providers with one key omit it)
        is checked against the provider's only signing key of the token's algorithm, never against a guess."""
        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        alg = jwt.get_unverified_header(token).get("alg")
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=self.get_settings("OIDC_TIMEOUT", None),
                                verify=self.get_settings("OIDC_VERIFY_SSL", True))
        response.raise_for_status()
        keys = [k for k in response.json().get("keys", [])
                if k.get("use", "sig") == "sig" and k.get("alg", alg) == alg]
        if len(keys) != 1:
            raise SuspiciousOperation("the ID token names no key and the provider has not exactly one signing key")
        return jwt.PyJWK(keys[0])

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        if self.get_settings("OIDC_RP_CLIENT_ID") not in (audience if isinstance(audience, list) else [audience]):
            raise SuspiciousOperation("the ID token is meant for another client")
        issuer = getattr(settings, "OIDC_ISSUER", "")
        if issuer and str(payload.get("iss") or "").rstrip("/") != issuer.rstrip("/"):
            raise SuspiciousOperation("the ID token comes from another issuer")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        claims = super().get_userinfo(access_token, id_token, payload)
        if str(claims.get("sub") or "") != str(payload.get("sub") or "") or not payload.get("sub"):
            raise SuspiciousOperation("the userinfo answer is about another person than the ID token")
        return claims

    def verify_claims(self, claims) -> bool:
        return True  # the match below decides; a missing claim matches nobody (a failed login, not a 400)

    def filter_users_by_claims(self, claims):
        flag = VERIFIED_FLAGS.get(settings.OIDC_MATCH_CLAIM)
        if flag and claims.get(flag) in (False, "false"):
            return get_user_model().objects.none()
        value = str(claims.get(settings.OIDC_MATCH_CLAIM) or "").strip()
        if settings.OIDC_MATCH_FIELD == "mobile" and value.startswith("+86"):
            value = value[3:]
        if not value:
            return get_user_model().objects.none()
        lookup = MATCH_FIELDS[settings.OIDC_MATCH_FIELD]
        return get_user_model().objects.filter(**{lookup: value}, is_active=True)

    def create_user(self, claims):
        return None  # only people on a roster log in

    def update_user(self, user, claims):
        return user  # the roster, not the provider, says who a person is here


def _only_when_enabled(view):
    def wrapped(request, *args, **kwargs):
        if not enabled():
            raise Http404("single sign-on is not configured")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_not_required(wrapped)


class _Request(OIDCAuthenticationRequestView):
    @staticmethod
    def get_settings(attr, *args):
        return oidc_setting(attr, *args)


class _Callback(OIDCAuthenticationCallbackView):
    @staticmethod
    def get_settings(attr, *args):
        return oidc_setting(attr, *args)


def _init_view(request, *args, **kwargs):
    return _Request.as_view()(request, *args, **kwargs)


def _callback_view(request, *args, **kwargs):
    return _Callback.as_view()(request, *args, **kwargs)


oidc_login = _only_when_enabled(_init_view)
oidc_callback = _only_when_enabled(_callback_view)
