"""makemessages that also extracts ``_t(...)`` (views alias ``gettext`` as ``_t`` beside ``gettext_lazy as _``)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_t"]
