"""What an item's progress shows (its page, its sub-items, every list of items and its export, a supervision
notice): the percent on record, except that only a done (办结) item shows as 100 % complete.

An item reopened by a 不满意 rating, returned by review, or otherwise open with 100 % on record (closing sets
100 %; a lead may have reported 100 % before asking to close) is not complete: it shows no bar, only the
figure on record marked as not closed ("100%（未办结）"), beside its status, until its lead reports a lower
percent or it is closed again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from tasks.rules.outcomes import DONE

COMPLETE = 100


@dataclass(frozen=True)
class ShownProgress:
    on_record: int  # the item's percent as last set (a lead's report, or 100 on closing)
    percent: int | None  # the percent shown as progress (the bar); None: the item is open at 100 %

    @property
    def text(self) -> str:
        """"60%"; "100%（未办结）" (100% (not closed)) for an open item at 100 %."""
        if self.percent is not None:
            return f"{self.percent}%"
        return _("%(p)d%%（未办结）") % {"p": self.on_record}

    def __str__(self) -> str:
        return self.text

    @property
    def counted(self) -> int:
        """The percent a rule compares with a threshold (the 督办单's colour): the bar's, and 0 for an item open
        at 100 % (it shows no progress; a reopened item is chased as one that has not moved)."""
        return 0 if self.percent is None else self.percent


def shown_progress(*, status: str, progress: int) -> ShownProgress:
    if progress >= COMPLETE and status != DONE:
        return ShownProgress(on_record=progress, percent=None)
    return ShownProgress(on_record=progress, percent=progress)


def item_progress(item) -> ShownProgress:
    """``shown_progress`` of a work item (anything with ``status`` and ``progress``)."""
    return shown_progress(status=item.status, progress=item.progress)
