"""The template engine of the reminder digest's forms (``tasks/jinja2/``): Jinja2, compiled to Python.

The reminder day renders every digest in three forms (HTML and text e-mail, DingTalk markdown): 15,000
digests at a province's size. Django's template engine walks a tree of nodes per render, and the
forms' fixed parts (the translated labels and sentences) cost as much as their rows: rendering was
44 % of the workers' time. The same templates in Jinja2 render the same text about four times faster.

Set up as Django's own ``Jinja2`` backend (``TEMPLATES`` in ``housing/settings.py``, alias ``jinja2``),
with:

* ``{{ _("…") }}`` and ``{% trans %}`` through Django's ``gettext`` / ``ngettext``: the catalogue, the
  msgids and the active language (``translation.override``) are the site's. ``makemessages`` does not read
  these files: a new string is added to ``locale/*/LC_MESSAGES/django.po`` by hand, as the project does.
* HTML escaped (``*.html``), text and markdown not (the Django templates said ``{% autoescape off %}``);
  quotes are escaped as ``&#39;`` / ``&#34;`` (Django: ``&#x27;`` / ``&quot;``), the same characters.
* A file's last newline kept, as Django keeps it.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext, ngettext
from jinja2 import Environment, pass_context, select_autoescape
from markupsafe import Markup

from tasks.text import markdown_plain


def environment(**options) -> Environment:
    options["autoescape"] = select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False)
    options.setdefault("keep_trailing_newline", True)
    options["extensions"] = [*options.get("extensions", ()), "jinja2.ext.i18n"]
    env = Environment(**options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.filters["md"] = markdown_plain  # a stored text as plain words in a markdown message
    return env


class Words:
    """The active language's catalogue for one lot of digests (a digest task's: one language), each message
    read from Django's catalogue once: Django's ``gettext`` looks the active language up on every call
    (~4 µs), and a digest asks for ~30 strings (its forms' labels and sentences, each item's note).

    ``context()`` gives a render's ``gettext`` and ``ngettext``: the templates' ``{{ _("…") }}`` and
    ``{% trans %}`` read those before the environment's (Jinja2 resolves them from the render's context),
    with the same escaping and formatting as the environment's (``install_gettext_callables``, newstyle)."""

    @classmethod
    def of(cls, memo: dict) -> Words:
        """The active language's ``Words`` kept in ``memo`` (a dict kept across the lot)."""
        language = translation.get_language()
        words = memo.get(("words", language))
        if words is None:
            words = memo[("words", language)] = cls()
        return words

    def __init__(self):
        self._singular: dict[str, str] = {}
        self._plural: dict[tuple[str, str, int], str] = {}
        self._context: dict | None = None

    def gettext(self, message: str) -> str:
        text = self._singular.get(message)
        if text is None:
            text = self._singular[message] = gettext(message)
        return text

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        key = (singular, plural, n)
        text = self._plural.get(key)
        if text is None:
            text = self._plural[key] = ngettext(singular, plural, n)
        return text

    def context(self) -> dict:
        if self._context is None:
            read, read_n = self.gettext, self.ngettext

            @pass_context
            def new_gettext(__context, __string, **variables):
                text = read(__string)
                if __context.eval_ctx.autoescape:
                    text = Markup(text)
                return text % variables

            @pass_context
            def new_ngettext(__context, __singular, __plural, __num, **variables):
                variables.setdefault("num", __num)
                text = read_n(__singular, __plural, __num)
                if __context.eval_ctx.autoescape:
                    text = Markup(text)
                return text % variables

            self._context = {"gettext": new_gettext, "ngettext": new_ngettext}
        return self._context
