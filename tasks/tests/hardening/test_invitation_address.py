"""An invitation works only while each address it was sent to is still the account's.

The link sets the account's password, and it went to the address on the account when it was sent. An address
is corrected because it was wrong (a colleague's mailbox, a typo that is someone else's, a 钉钉 id of another
person): the link that went there kept working for its 72 hours, so whoever held the old address set the
password and logged in as the account's owner. Every way the address changes (the unit's people page, the
roster, the admin) is covered by the check at use (``services.invitations``), not by each writer.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tasks.models import Message
from tasks.services.invitations import InvitationError, invitation_accept, invitation_send, invitation_usable
from tasks.services.people import PersonSpec, person_update, unit_person_add
from tasks.tests.daily_setup import make_world

pytestmark = pytest.mark.django_db


def _token() -> str:
    message = Message.objects.filter(purpose=Message.Purpose.INVITE, channel="email").order_by("-pk").first()
    return message.body.split("/invitation/")[1].split("/")[0]


@pytest.fixture
def invited():
    w = make_world()
    person = unit_person_add(unit=w.lead, spec=PersonSpec(name="王芳", mobile="13800000001",
                                                          email="wrong@example.gov.cn"), actor=w.coordinator)
    return w, person, _token()


def test_correcting_the_address_ends_the_link_sent_to_the_old_one(invited):
    w, person, token = invited
    assert invitation_usable(token).user == person
    person_update(user=person, unit=w.lead, spec=PersonSpec(name="王芳", mobile="13800000001",
                                                            email="wangfang@example.gov.cn"),
                  actor=w.coordinator, at=timezone.now())
    with pytest.raises(InvitationError) as refused:
        invitation_accept(token=token, password="a-Long-pass-2026")
    assert refused.value.code == "expired"
    person.refresh_from_db()
    assert not person.has_usable_password()
    # The owner gets a new link at the right address, which works.
    invitation_send(user=person, actor=w.coordinator)
    invitation_accept(token=_token(), password="a-Long-pass-2026")
    person.refresh_from_db()
    assert person.check_password("a-Long-pass-2026")


def test_an_address_changed_in_the_admin_ends_it_too_and_the_page_says_so(client, invited):
    _w, person, token = invited
    person.email = "wangfang@example.gov.cn"
    person.save(update_fields=["email"])
    response = client.post(reverse("tasks:invitation_open", args=[token]),
                           {"new_password1": "a-Long-pass-2026", "new_password2": "a-Long-pass-2026"})
    assert response.status_code == 410
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_the_same_address_written_differently_or_a_channel_added_keeps_it(invited):
    w, person, token = invited
    person.email = "Wrong@Example.gov.cn"
    person.save(update_fields=["email"])
    person.profile.zzd_id = "zzd-wf"
    person.profile.save(update_fields=["zzd_id"])
    assert invitation_usable(token).user == person
    assert w.lead.pk == person.profile.unit_id
