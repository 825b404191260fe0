"""The e-mail's bytes written straight from Django's MIME tree (``channels.mime.wire_bytes``): byte for byte what
the standard generator writes, and the SMTP path no longer runs that generator."""

import email
import email.generator
import random

import pytest
from django.core.mail import EmailMultiAlternatives

from tasks.models import Message
from tasks.notifications.channels import mime
from tasks.notifications.channels.mime import email_bytes, wire_bytes
from tasks.notifications.services import message_queue, outbox_deliver

from .test_email import NOW, smtp  # noqa: F401 - the fixture

SUBJECTS = ["【住有宜居】工作提醒：已逾期3项，即将到期2项", "plain ascii subject", "x" * 90, "混合 mixed 主题 " * 6,
            "【住有宜居】" + "很长的主题" * 30, "a b " * 40, "名字 <not an address>"]
BODIES = ["正文\n第二行\n", "line1\r\nline2\rline3\n\n", "长" * 600 + "\n", "no newline at the end", "x" * 1200,
          "From here\n.\n..\n--===============1==\n"]


def emails():
    for subject in SUBJECTS:
        for body in BODIES:
            for html in (None, f"<p>{body}</p>"):
                for files, sender in ((False, "noreply@example.org"), (True, "住有宜居 <noreply@example.org>")):
                    headers = {"Message-ID": "<x@reminders.housing>", "X-Reminder-Digest": "d"}
                    e = EmailMultiAlternatives(subject=subject, body=body, from_email=sender,
                                               to=["a@example.org", "乙 <b@example.org>"], headers=headers)
                    if html:
                        e.attach_alternative(html, "text/html")
                    if files:
                        e.attach("文件.pdf", b"%PDF-1.4 " * 50, "application/pdf")
                    yield e


def test_the_bytes_are_the_standard_generators_byte_for_byte():
    n = 0
    for i, e in enumerate(emails()):
        msg = e.message()
        random.seed(i)  # the boundary is random: the same draw for both writers
        fast = wire_bytes(msg)
        msg = e.message()
        msg.replace_header("Date", email.message_from_bytes(fast)["Date"])
        random.seed(i)
        assert fast == msg.as_bytes(linesep="\r\n"), (e.subject, e.body[:20])
        n += 1
    assert n == len(SUBJECTS) * len(BODIES) * 4


def test_a_text_only_message_and_a_multipart_one_are_written_without_the_generator(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the standard generator ran")

    monkeypatch.setattr(email.generator.Generator, "flatten", refuse)
    fields = {"subject": "【住有宜居】测试", "body": "正文\n", "from_email": "n@example.org", "to": ["a@example.org"]}
    plain, both = EmailMultiAlternatives(**fields), EmailMultiAlternatives(**fields)
    both.attach_alternative("<p>正文</p>", "text/html")
    for e in (plain, both):
        parsed = email.message_from_bytes(wire_bytes(e.message()))
        assert str(email.header.make_header(email.header.decode_header(parsed["Subject"]))) == "【住有宜居】测试"
        text = parsed.get_payload(0) if parsed.is_multipart() else parsed
        assert text.get_payload(decode=True).decode() == "正文\r\n"  # as on the wire


@pytest.mark.django_db
def test_the_smtp_channel_sends_without_the_standard_generator(smtp, monkeypatch):  # noqa: F811
    box = smtp()
    for i in range(3):
        message_queue(key=f"m{i}", purpose=Message.Purpose.TEST, channel="email", address=f"p{i}@yc.gov.cn",
                      subject="【住有宜居】测试", body="正文\n第二行", html="<p>正文</p>",
                      payload={"headers": {"X-Reminder-Digest": f"m{i}"}}, now=NOW)

    def refuse(*args, **kwargs):
        raise AssertionError("the standard generator ran")

    monkeypatch.setattr(email.generator.Generator, "flatten", refuse)
    monkeypatch.setattr(EmailMultiAlternatives, "message", refuse)  # nor Django's MIME tree
    assert outbox_deliver(channel="email", now=NOW).counts == {Message.State.SENT: 3}
    got = sorted(box.messages, key=lambda m: m["To"])
    assert [m["X-Reminder-Digest"] for m in got] == ["m0", "m1", "m2"]
    assert got[0].get_payload(0).get_payload(decode=True).decode() == "正文\r\n第二行"  # as on the wire
    assert got[0].get_payload(1).get_content_type() == "text/html"


@pytest.mark.parametrize("address", ["a@b.org", "A.B@Example.ORG", "x+y@yc.gov.cn", "o'neil@x.cn", "a..b@c.org",
                                     ".a@b.org", "a@b", "a@-b.org", "张三@x.cn", "a@例子.cn", "Name <a@b.org>",
                                     "名字 <a@b.org>", "a b@c.org", '"q"@b.org', ("名字", "a@b.org")])
def test_the_envelope_address_is_djangos_sanitized_address(address):
    from django.core.mail.message import sanitize_address

    from tasks.notifications.channels.email import envelope_address

    assert envelope_address(address, "utf-8") == sanitize_address(address, "utf-8")
    assert envelope_address(address, "utf-8") == envelope_address(address, "utf-8")  # the cached one too


def test_a_plain_address_and_a_repeated_sender_are_not_parsed_again(monkeypatch):
    from django.core.mail import message

    from tasks.notifications.channels import email as channel

    parsed = []
    real = message.parser.get_mailbox
    monkeypatch.setattr(message.parser, "get_mailbox", lambda value: parsed.append(value) or real(value))
    channel._sanitized.cache_clear()
    for _ in range(3):
        assert channel.envelope_address("p1@yc.gov.cn", "utf-8") == "p1@yc.gov.cn"
        assert channel.envelope_address("住有宜居 <n@x.cn>", "utf-8") == "=?utf-8?b?5L2P5pyJ5a6c5bGF?= <n@x.cn>"
    assert parsed == ["住有宜居 <n@x.cn>"]


def test_an_e_mail_written_without_its_mime_tree_is_the_trees_bytes(monkeypatch):
    from django.core.mail import message

    monkeypatch.setattr(message, "formatdate", lambda **kw: "Mon, 07 Dec 2026 09:00:00 +0800")
    monkeypatch.setattr(mime, "formatdate", lambda **kw: "Mon, 07 Dec 2026 09:00:00 +0800")
    monkeypatch.setattr(message, "make_msgid", lambda **kw: "<1@x>")
    monkeypatch.setattr(mime, "make_msgid", lambda **kw: "<1@x>")
    cases = list(emails())
    for subject in ("ascii only", "【住有宜居】提醒"):  # no Message-ID of its own; ASCII bodies (7bit)
        plain = EmailMultiAlternatives(subject=subject, body="hello\n", from_email="n@x.cn", to=["a@x.cn"],
                                       headers={"X-Reminder-Digest": "d"})
        both = EmailMultiAlternatives(subject=subject, body="hello", from_email="n@x.cn", to=["a@x.cn", "b@x.cn"])
        both.attach_alternative("<p>hello</p>", "text/html")
        cases += [plain, both]
    for subject in SUBJECTS:
        for body in BODIES:
            for html in (None, f"<p>{body}</p>"):
                e = EmailMultiAlternatives(subject=subject, body=body, from_email="n@x.cn", to=["a@x.cn"],
                                           headers={"Message-ID": "<x@reminders.housing>", "X-Reminder-Digest": "d"})
                if html:
                    e.attach_alternative(html, "text/html")
                cases.append(e)
    direct = 0
    for i, e in enumerate(cases):
        random.seed(i)
        fast = email_bytes(e)
        random.seed(i)
        assert fast == e.message().as_bytes(linesep="\r\n"), (e.subject, e.body[:20])
        random.seed(i)
        try:
            mime._email_bytes(e)
            direct += 1
        except mime._Unusual:
            pass
    assert direct >= 40  # most of them written directly (files, non-ASCII names, long lines: through the tree)
