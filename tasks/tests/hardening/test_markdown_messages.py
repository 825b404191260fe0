"""A person's text inside a chat message's markdown stays words (session 21, hsafe5).

Found: the markdown forms of the reminder digest, the 督办单, the rating request, the roundup, the invitation and
the test message (DingTalk, 浙政钉, the group robots) printed stored texts as written: an item text such as
``请尽快[点此签收](http://evil.example/x)`` became a link in the app's own message saying one thing and going
elsewhere, ``![](http://evil.example/p.png)`` made every reader's client fetch the writer's picture (who read it,
from where), and a line break started a heading or a list of the writer's. Every stored text in every markdown
template now goes through ``markdown_plain`` (``|md``).
"""

from types import SimpleNamespace as NS

import pytest
from django.template import engines
from django.template.loader import render_to_string

from tasks.text import markdown_plain

HOSTILE = "请尽快[点此签收](http://evil.example/x)![](http://evil.example/p.png)<img src=x>\n# 紧急"


def _safe(text: str) -> None:
    assert "](http://evil" not in text and "![" not in text and "<img" not in text
    assert "\n# 紧急" not in text
    assert "点此签收" in text  # the words stay


def test_markdown_plain_keeps_the_words_and_drops_the_markup():
    assert markdown_plain(HOSTILE) == ("请尽快［点此签收］(http://evil.example/x)!［］(http://evil.example/p.png)"
                                       "＜img src=x＞ # 紧急")
    assert markdown_plain("区建设局（牵头）_2026") == "区建设局（牵头）_2026"
    assert markdown_plain(None) == ""


@pytest.mark.parametrize("template, context", [
    ("tasks/notifications/notice.md.txt", {
        "subject": HOSTILE, "notice": NS(unit=NS(name=HOSTILE), requirement=HOSTILE),
        "items": [NS(text=HOSTILE[:40], due_date=None)], "due": "6月30日", "url": "https://zf.example.cn/l/t/"}),
    ("tasks/notifications/rating_request.md.txt", {
        "subject": HOSTILE, "raised": True, "closed_on": None, "url": "https://zf.example.cn/l/t/",
        "item": NS(text=HOSTILE, get_origin_display="会议")}),
    ("tasks/notifications/roundup.md.txt", {
        "subject": HOSTILE, "report": NS(plan=NS(title=HOSTILE), title=HOSTILE, url="https://zf.example.cn/r/"),
        "own_line": HOSTILE, "highlights": [HOSTILE]}),
    ("tasks/notifications/invitation.md.txt", {
        "unit": NS(name=HOSTILE), "username": "13800000001", "link": "https://zf.example.cn/invitation/t/",
        "expires": None}),
    ("tasks/notifications/test_message.md.txt", {"name": HOSTILE, "when": "12-07 10:00"}),
])
def test_every_markdown_template_prints_stored_texts_as_words(template, context):
    _safe(render_to_string(template, context))


def test_the_reminder_digest_markdown_prints_stored_texts_as_words():
    entry = NS(short_text=HOSTILE[:40], url="https://zf.example.cn/l/t/", due_short="6月30日", note=HOSTILE)
    text = engines["jinja2"].get_template("tasks/notifications/reminder_digest.md.txt").render({
        "subject": HOSTILE, "today_text": "12月7日", "total": 1, "site_url": "https://zf.example.cn",
        "plans": [{"plan": NS(title=HOSTILE), "sections": [{"title": HOSTILE, "items": [entry]}]}]})
    _safe(text)
    assert "](https://zf.example.cn/l/t/)" in text  # the app's own link stays a link
