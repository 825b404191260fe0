"""A message an importer writes for the person checking its preview (a roster's row error, a minutes' warning):
its Chinese text, and the template and values it was written from, so a page shows it in its reader's language
(``tasks.stored_text.issue_text``; the Chinese template is the catalogue's message id). Pure, no Django."""

from __future__ import annotations


class Issue(str):
    """The message's Chinese text (what the commands print and the tests read), with ``template`` and ``params``.
    A value that is itself an ``Issue`` (a field's name) is translated too. Through JSON (a page's session) it is
    plain text again: the callers check afresh whenever they read it back."""

    template: str
    params: dict

    def __new__(cls, template: str, **params):
        issue = super().__new__(cls, template % params if params else template)
        issue.template, issue.params = template, params
        return issue

    def __deepcopy__(self, memo):  # dataclasses.asdict copies values: keep the plain text
        return str(self)

    def __reduce__(self):  # a child process's result keeps its template and values
        return _issue, (self.template, self.params)


def _issue(template: str, params: dict) -> Issue:
    return Issue(template, **params)
