from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tasks.oidc import oidc_callback, oidc_login
from tasks.views.health import healthz
from tasks.views.language import set_language
from tasks.views.login import LoginView

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    # The JSON API has no language prefix: its URLs are a contract with other systems.
    path("api/v1/", include("tasks.api.urls")),
    path("healthz/", healthz, name="healthz"),
    # Single sign-on (OpenID Connect; 404 unless configured): fixed URLs, registered with the provider.
    path("oidc/authenticate/", oidc_login, name="oidc_authentication_init"),
    path("oidc/callback/", oidc_callback, name="oidc_authentication_callback"),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/login/", LoginView.as_view(), name="login"),  # with "remember me"
    # The account routes the site uses, not django.contrib.auth.urls: its password reset mailed a link that sets
    # the password to any account's address on an anonymous request, through SMTP inside the request (no outbox,
    # no audit row, no limit; the time it took told which addresses have an account). A forgotten password is
    # a new invitation from the coordinator (docs/workflow.md).
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("", include("tasks.urls")),
    prefix_default_language=False,
)
