"""A user's API tokens: the list (first characters, made, expires, last used), a new one (its key shown on the
page that answers, once) and revocation. The logic is tasks.services.api_tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tasks.forms import Form, TextField
from tasks.services.api_tokens import create_token, live_tokens, revoke_token


class TokenForm(Form):
    name = TextField(label=gettext_lazy("用途"), max_length=100, required=False,
                     help_text=gettext_lazy("例如：市大数据平台对接"))


@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest):
    new = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = create_token(request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = TokenForm()
    return render(request, "tasks/api_tokens.html", {
        "form": form, "new": new, "tokens": live_tokens(request.user).order_by("-created"),
        "days": settings.API_TOKEN_DAYS,
    })


@require_POST
def api_token_revoke(request: HttpRequest):
    if revoke_token(request.user, (request.POST.get("digest") or "")[:200]):
        messages.success(request, _("令牌已撤销，使用它的请求将被拒绝。"))
    return redirect("tasks:api_tokens")
