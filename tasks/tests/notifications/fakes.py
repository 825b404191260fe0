"""Local stand-ins of the providers: real HTTP servers on loopback, started by the tests, that keep the
documented contract (../shared/CHANNELS.md): they check tokens and signatures, enforce the rate limits
and answer past them as the real service does (DingTalk's success that is never delivered included),
and fail on demand (5xx, a hang past the client's timeout, an expired token).

Each fake keeps what it delivered (``inbox``) and every call it answered (``calls``), so a test asserts
what reached the provider, not what the adapter meant to do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeServer:
    """A threaded HTTP server; subclasses answer ``handle(method, path, query, body, headers)``."""

    def __init__(self):
        self.calls: list[tuple[str, dict, object]] = []
        self.inbox: dict[str, list] = defaultdict(list)
        self._fail: list[int] = []  # statuses to answer to the next calls
        self._hang: list[float] = []  # seconds to wait before answering the next calls
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _serve(self, method):
                parsed = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ctype = self.headers.get("Content-Type", "")
                if "json" in ctype and raw:
                    body = json.loads(raw)
                elif raw:
                    body = dict(urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True))
                else:
                    body = {}
                with fake.lock:
                    hang = fake._hang.pop(0) if fake._hang else 0
                    fail = fake._fail.pop(0) if fake._fail else 0
                if hang:
                    time.sleep(hang)  # the request was read: the provider may act on it (below)
                if fail:
                    self.send_response(fail)
                    self.end_headers()
                    self.wfile.write(b"upstream error")
                    return
                with fake.lock:
                    fake.calls.append((parsed.path, {**query}, body))
                    status, answer = fake.handle(method, parsed.path, query, body, self.headers, raw)
                data = json.dumps(answer, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, n: int = 1, status: int = 503) -> None:
        self._fail += [status] * n

    def hang_next(self, seconds: float, n: int = 1) -> None:
        self._hang += [seconds] * n

    def handle(self, method, path, query, body, headers, raw):  # pragma: no cover - abstract
        raise NotImplementedError

    def delivered(self) -> Counter:
        return Counter({k: len(v) for k, v in self.inbox.items()})


# ---------------------------------------------------------------- DingTalk work notice


class FakeDingTalk(FakeServer):
    """``/gettoken``, ``asyncsend_v2`` and ``getsendresult`` of a corp app.

    The same content to a user once a day, at most ``per_user_day`` messages per user a day: past either
    the send still answers errcode 0 and the user is listed in ``forbidden_user_id_list`` of the result.
    """

    def __init__(self, *, app_key="ding-key", app_secret="ding-secret", agent_id=4242, users=(),
                 token_ttl=7200, per_user_day=500):
        super().__init__()
        self.app_key, self.app_secret, self.agent_id = app_key, app_secret, agent_id
        self.users = set(users)
        self.token_ttl, self.per_user_day = token_ttl, per_user_day
        self.tokens: dict[str, float] = {}
        self.tasks: dict[int, dict[str, list]] = {}
        self.seen_content: set[tuple[str, str]] = set()
        self.per_user: Counter = Counter()
        self._ids = itertools.count(1001)

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def _token_ok(self, token) -> bool:
        return self.tokens.get(token, 0) > time.monotonic()

    def handle(self, method, path, query, body, headers, raw):
        if path == "/gettoken":
            if (query.get("appkey"), query.get("appsecret")) != (self.app_key, self.app_secret):
                return 200, {"errcode": 40089, "errmsg": "不合法的appkey或appsecret"}
            token = f"tok{next(self._ids)}"
            self.tokens[token] = time.monotonic() + self.token_ttl
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.token_ttl}
        if not self._token_ok(query.get("access_token")):
            return 200, {"errcode": 40014, "errmsg": "不合法的access_token"}
        if body.get("agent_id") != self.agent_id:
            return 200, {"errcode": 33001, "errmsg": "无效的企业应用"}
        if path == "/topapi/message/corpconversation/asyncsend_v2":
            users = [u for u in str(body.get("userid_list", "")).split(",") if u]
            if not users or len(users) > 100:
                return 200, {"errcode": 33016, "errmsg": "userid_list 为空或超过 100 个"}
            content = json.dumps(body.get("msg"), sort_keys=True, ensure_ascii=False)
            result = {"read_user_id_list": [], "unread_user_id_list": [], "invalid_user_id_list": [],
                      "forbidden_user_id_list": [], "failed_user_id_list": [], "forbidden_list": []}
            for user in users:
                if self.users and user not in self.users:
                    result["invalid_user_id_list"].append(user)
                elif (user, content) in self.seen_content or self.per_user[user] >= self.per_user_day:
                    code = "143105" if (user, content) in self.seen_content else "143106"
                    result["forbidden_user_id_list"].append(user)
                    result["forbidden_list"].append({"code": code, "count": 1, "userid": user})
                else:
                    self.seen_content.add((user, content))
                    self.per_user[user] += 1
                    self.inbox[user].append(body["msg"])
                    result["unread_user_id_list"].append(user)
            task_id = next(self._ids)
            self.tasks[task_id] = result
            return 200, {"errcode": 0, "errmsg": "ok", "task_id": task_id, "request_id": f"req{task_id}"}
        if path == "/topapi/message/corpconversation/getsendresult":
            result = self.tasks.get(body.get("task_id"))
            if result is None:
                return 200, {"errcode": 40035, "errmsg": "不合法的参数"}
            return 200, {"errcode": 0, "errmsg": "ok", "send_result": result}
        return 404, {"errcode": 404, "errmsg": "not found"}
