"""The outbox: every message to a person or a group goes through here.

* ``services`` queue messages (idempotent on a key), deliver a channel's due messages in batches, sweep
  messages whose fate is unknown, reconcile sends with the provider's result, put messages back.
* ``routing`` decides which channels reach a person (their profile's order, what is configured).
* ``channels`` are the adapters, one per provider, behind one interface (``channels.base``); they are
  the only modules that import ``django.core.mail``, ``smtplib`` or an HTTP client.

Reminders queue their digests here; 督办单, roundups, the 签收 chase, exports and invitations are meant
to follow through the same ``message_queue`` / ``messages_queue`` calls.
"""
