"""The login page: Django's, with "remember me". Without it the session ends when the browser closes; with
it, it outlives the browser (SESSION_REMEMBER_HOURS, by default the same idle limit as every session:
settings.SESSION_IDLE_HOURS, moved on by each request)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    remember = forms.BooleanField(label=_("记住我（关闭浏览器后保持登录）"), required=False)


class LoginView(auth_views.LoginView):
    form_class = LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso"] = settings.OIDC_ENABLED
        context["sso_label"] = settings.OIDC_LOGIN_LABEL or _("统一身份认证登录")
        context["sso_failed"] = self.request.GET.get("sso") == "failed"
        return context

    def form_valid(self, form):
        response = super().form_valid(form)  # logs in (a new session key, the same data)
        if form.cleaned_data.get("remember"):
            self.request.session.set_expiry(int(settings.SESSION_REMEMBER_HOURS * 3600))
        else:
            self.request.session.set_expiry(0)  # a browser session cookie; the idle limit still holds
        return response
