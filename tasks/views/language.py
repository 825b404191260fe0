"""The language switch of base.html."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.utils import translation
from django.views import i18n


@login_not_required  # the switch is on the login page too
def set_language(request):
    """Django's set_language, with ``next`` resolved in its own language.

    The switch posts the page's own path. Django maps it to the chosen language with the
    language of this request, which is the default one (this URL has no language prefix), so
    "/en/..." would not resolve and English could never be switched back to Chinese.
    """
    next_url = request.POST.get("next", "")
    with translation.override(translation.get_language_from_path(next_url) or settings.LANGUAGE_CODE):
        return i18n.set_language(request)
