"""The bench's lean SMTP sink (``bench/smtp_sink.py``) accepts what ``smtplib`` sends and checks each message."""

from __future__ import annotations

import smtplib
import socket
import threading
from types import SimpleNamespace

import pytest

from bench.smtp_sink import Counts, check_message, serve


@pytest.fixture
def sink():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    counts = Counts(*(SimpleNamespace(value=0) for _ in range(4)))
    ready, stop = threading.Event(), threading.Event()
    thread = threading.Thread(target=serve, args=(port, counts, ready, stop), daemon=True)
    thread.start()
    assert ready.wait(10)
    yield port, counts
    stop.set()
    thread.join(10)


def message(to: str, message_id: str, subject: str = "=?utf-8?b?5bel5L2c5o+Q6YaS?=", body: str = "正文\r\n") -> bytes:
    return (f"Subject: {subject}\r\nFrom: noreply@housing.gov.cn\r\nTo: {to}\r\nMessage-ID: <{message_id}>\r\n"
            f"\r\n{body}").encode()


def test_every_message_is_checked_and_counted_a_second_copy_as_a_duplicate(sink):
    port, counts = sink
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        long_body = "".join(f".{i} 行\r\n" for i in range(5000))  # dot-stuffed lines, many packets
        smtp.sendmail("noreply@housing.gov.cn", ["a@yc.gov.cn"], message("a@yc.gov.cn", "1@r", body=long_body))
        smtp.sendmail("noreply@housing.gov.cn", ["b@yc.gov.cn"], message("b@yc.gov.cn", "2@r"))
        smtp.sendmail("noreply@housing.gov.cn", ["b@yc.gov.cn"], message("b@yc.gov.cn", "2@r"))  # sent twice
        with pytest.raises(smtplib.SMTPDataError):  # the To is not the envelope's recipient
            smtp.sendmail("noreply@housing.gov.cn", ["c@yc.gov.cn"], message("d@yc.gov.cn", "3@r"))
        with pytest.raises(smtplib.SMTPDataError):  # no subject
            smtp.sendmail("noreply@housing.gov.cn", ["c@yc.gov.cn"], message("c@yc.gov.cn", "4@r", subject=""))
    assert (counts.accepted.value, counts.recipients.value, counts.duplicates.value, counts.bad.value) == (3, 3, 1, 2)


def test_the_check_reads_folded_and_encoded_headers():
    data = (b"Subject: =?utf-8?b?44CQ5L2P5pyJ5a6c5bGF44CR?=\r\n =?utf-8?b?5bel5L2c5o+Q6YaS?=\r\n"
            b"To: A@yc.gov.cn\r\nMessage-ID: <x@r>\r\n\r\nbody\r\n")
    assert check_message(data, ["a@yc.gov.cn"]) == ("<x@r>", "")
    assert check_message(data, ["a@yc.gov.cn", "b@yc.gov.cn"])[1].startswith("To ")
    assert check_message(b"To: a@yc.gov.cn\r\n\r\n", ["a@yc.gov.cn"]) == ("", "no Message-ID")


def test_the_delivery_timeline_says_when_the_first_half_and_all_arrived():
    from types import SimpleNamespace

    from bench.province import DeliveryTimeline

    timeline = DeliveryTimeline(0.0, SimpleNamespace(n=0), SimpleNamespace(count=SimpleNamespace(value=0)), every=1)
    timeline.samples = [(0.5, 0, 0), (3.0, 1, 0), (6.0, 40, 20), (8.0, 90, 70), (9.5, 100, 79), (11.0, 100, 80)]
    timeline.tick_s = 5.0
    summary = timeline.summary(100, 80)
    assert (summary["first_email_s"], summary["half_emails_s"], summary["ninety_emails_s"], summary["all_emails_s"],
            summary["all_notices_s"], summary["emails_at_tick_end"]) == (3.0, 8.0, 8.0, 9.5, 11.0, 40)
    assert summary["timeline"][0] == [0.5, 0, 0]
    assert DeliveryTimeline(0.0, None, None).summary(1, 1)["first_email_s"] is None  # nothing sampled
