"""The outbox: every message to a person or a group goes through here.

* ``services`` queue messages (idempotent on a key), deliver a channel's due messages in batches, sweep
  messages whose fate is unknown, reconcile sends with the provider's result, put messages back.
* ``routing`` decides which channels reach a person (their profile's order, what is configured, the
  fallbacks that go only if the channel before has not reached them; email always, and alone with files).
* ``quiet`` says when a message may be delivered (the working window, days off); urgent ones go at once.
* ``channels`` are the adapters, one per provider, behind one interface (``channels.base``); they are
  the only modules that import ``django.core.mail``, ``smtplib`` or an HTTP client.

Reminders queue their digests here, and 督办单 and roundups their documents (``document_specs``: the files
by reference for email, a summary with the link elsewhere; ``robot_specs`` for group robots); exports and
invitations follow through the same ``message_queue`` / ``messages_queue`` calls.
"""
