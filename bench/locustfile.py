"""Simulated users for ``bench/province.py --load``: liaisons on their home page, coordinators on the overdue view.

Run by the bench as its own process (``locust -f bench/locustfile.py --headless ...``), never imported into
Django or pytest: locust monkey-patches the standard library with gevent.

``BENCH_LOAD_USERS`` names a JSON file the bench writes: a list of ``{"kind", "cookie", "urls"}``, one
logged-in session of a real user of the data set each (a liaison of a unit, or a county coordinator).
Each simulated user takes the next identity in turn, then requests its pages, waiting 1 s between requests.
A response other than 200 (a redirect to the login page included) is an error.

The users are ``FastHttpUser`` (geventhttpclient) rather than ``HttpUser`` (requests): the load generator
shares the machine's two cores with the server it measures, so the less CPU it takes, the more is left
for the server (measured at 1M items, 50 users, 60 s: 4-5 CPU seconds against 7).
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import FastHttpUser, constant, task

IDENTITIES = json.loads(open(os.environ["BENCH_LOAD_USERS"], encoding="utf-8").read())  # noqa: SIM115
_next = itertools.count()


class PageUser(FastHttpUser):
    wait_time = constant(float(os.environ.get("BENCH_LOAD_WAIT", "1")))

    def on_start(self):
        me = IDENTITIES[next(_next) % len(IDENTITIES)]
        self.headers = {"Cookie": f"sessionid={me['cookie']}"}
        self.urls = me["urls"]  # [[name, url, weight], ...]
        self.pick = random.Random(me["cookie"])

    @task
    def page(self):
        name, url = self.pick.choices([(n, u) for n, u, _w in self.urls], weights=[w for *_x, w in self.urls])[0]
        with self.client.get(url, name=name, headers=self.headers, allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
