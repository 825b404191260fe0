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

# What ``getattr`` finds on a plain dict: its class's attributes (a dict instance has none of its own).
_DICT_ATTRIBUTES = frozenset(dir(dict))


class DigestEnvironment(Environment):
    """Jinja2's environment, with two shortcuts that change no output:

    * ``a.b`` on a plain dict (a digest's plans, sections and items are dicts) reads the key at once: Jinja2
      tries ``getattr`` first, which on a dict fails with an ``AttributeError`` raised and caught for every
      ``e.text``, ``e.url``… of every item of every form (~170 a digest, 7 % of composing one). A dict's
      own attributes (``items``, ``keys``…) are still found first, as before; a missing key is undefined.
    * ``template(name)``: the compiled template kept by name for the process (Django's ``render_to_string``
      looks it up per render through the backend's wrapper and Jinja2's locked cache), unless the
      environment reloads changed files (``auto_reload``, DEBUG)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept: dict[str, object] = {}

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def template(self, name: str):
        if self.auto_reload:
            return self.get_template(name)
        template = self._kept.get(name)
        if template is None:
            template = self._kept[name] = self.get_template(name)
        return template


def environment(**options) -> Environment:
    options["autoescape"] = select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False)
    options.setdefault("keep_trailing_newline", True)
    options["extensions"] = [*options.get("extensions", ()), "jinja2.ext.i18n"]
    env = DigestEnvironment(**options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.filters["md"] = markdown_plain  # a stored text as plain words in a markdown message
    return env


def render(name: str, context: dict) -> str:
    """``render_to_string(name, context, using="jinja2")`` (no request), the template kept (``DigestEnvironment``)."""
    from django.template import engines

    return engines["jinja2"].env.template(name).render(context)


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
