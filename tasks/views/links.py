"""Following a link from a reminder or notice (``tasks.notifications.links``): it says where to go, never who
you are. A logged-out person logs in and lands on the target; a logged-in one lands there at once; the
target's view decides, as always, what they may see and do."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render, resolve_url
from django.urls import translate_url
from django.views.decorators.http import require_GET

from tasks.notifications.links import LinkError, link_read


@login_not_required  # the login page comes after the link is read, with the target as ``next``
@require_GET
def link_follow(request, token: str):
    try:
        link = link_read(token)
    except LinkError as exc:
        return render(request, "tasks/link_invalid.html", {"expired": exc.expired},
                      status=410 if exc.expired else 400)
    # The link is written without a language prefix (the default language's URL), and an unprefixed URL is always
    # Chinese: a reader who chose English (the switch's cookie) lands in English, on the login page too.
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    target, login_url = link.target, None
    if language and language != settings.LANGUAGE_CODE and language in dict(settings.LANGUAGES):
        target, login_url = translate_url(target, language), translate_url(resolve_url(settings.LOGIN_URL), language)
    if not request.user.is_authenticated:
        return redirect_to_login(target, login_url=login_url)
    return redirect(target)
