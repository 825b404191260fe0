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


def wait_until(condition, timeout: float = 5) -> None:
    """Poll ``condition`` until it holds (what a provider's thread does is waited for, never slept for)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s"
        time.sleep(0.05)


class FakeServer:
    """A threaded HTTP server; subclasses answer ``handle(method, path, query, body, headers)``."""

    def __init__(self):
        self.calls: list[tuple[str, dict, object]] = []
        self.inbox: dict[str, list] = defaultdict(list)
        self._fail: list[int] = []  # statuses to answer to the next calls
        self._hang: list[float] = []  # seconds to wait before answering the next calls
        self.lock = threading.Lock()
        self.in_flight = self.most_in_flight = 0  # calls being answered at once, now and at most
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as the providers' HTTPS endpoints do: a client's pooled connection serves many
            # calls (HTTP/1.0 made a connection, and a server thread, per call). Every answer says its
            # length; Nagle off, or the headers and the body, written apart, wait for a delayed ACK.
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _serve(self, method):
                with fake.lock:
                    fake.in_flight += 1
                    fake.most_in_flight = max(fake.most_in_flight, fake.in_flight)
                try:
                    self._answer(method)
                finally:
                    with fake.lock:
                        fake.in_flight -= 1

            def _answer(self, method):
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
                    self.send_header("Content-Length", "14")
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
        with self.lock:  # (read while the server's threads deliver)
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


# ---------------------------------------------------------------- 浙政钉


class FakeZzd(FakeServer):
    """The 浙政钉 gateway: every call signed (apiKey, timestamp within 15 minutes, nonce once, HMAC-SHA256);
    ``/gettoken.json``; ``/message/workNotification`` with bizMsgId refused as a duplicate the second time,
    and a body over 2,048 bytes refused."""

    DUPLICATE = "233025"

    def __init__(self, *, app_key="zzd-key", app_secret="zzd-secret", token_ttl=7200):
        super().__init__()
        self.app_key, self.app_secret, self.token_ttl = app_key, app_secret, token_ttl
        self.tokens: dict[str, float] = {}
        self.nonces: set[str] = set()
        self.biz_ids: dict[str, str] = {}
        self._ids = itertools.count(1)

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def _signature_ok(self, method, path, params, headers) -> bool:
        from datetime import datetime

        if headers.get("apiKey") != self.app_key:
            return False
        ts, nonce = headers.get("X-Hmac-Auth-Timestamp", ""), headers.get("X-Hmac-Auth-Nonce", "")
        try:
            skew = abs(datetime.fromisoformat(ts).timestamp() - time.time())
        except ValueError:
            return False
        if skew > 900 or nonce in self.nonces:
            return False
        self.nonces.add(nonce)
        lines = [method, ts, nonce, path]
        if params:
            lines.append("&".join(f"{k}={params[k]}" for k in sorted(params)))
        expected = base64.b64encode(hmac.new(self.app_secret.encode(), "\n".join(lines).encode(),
                                             hashlib.sha256).digest()).decode()
        return hmac.compare_digest(expected, headers.get("X-Hmac-Auth-Signature", ""))

    def handle(self, method, path, query, body, headers, raw):
        params = query if method == "GET" else body
        if not self._signature_ok(method, path, params, headers):
            return 200, {"success": False, "errorCode": "InvalidSignature", "errorMsg": "签名验证失败"}
        if path == "/gettoken.json":
            if (params.get("appkey"), params.get("appsecret")) != (self.app_key, self.app_secret):
                return 200, {"success": False, "errorCode": "InvalidApp", "errorMsg": "应用不存在"}
            token = f"ztok{next(self._ids)}"
            self.tokens[token] = time.monotonic() + self.token_ttl
            return 200, {"success": True, "content": {"success": True,
                                                      "data": {"accessToken": token, "expiresIn": self.token_ttl}}}
        if self.tokens.get(params.get("access_token"), 0) <= time.monotonic():
            return 200, {"success": False, "errorCode": "INVALID_TOKEN", "errorMsg": "token 无效或已过期"}
        if path == "/message/workNotification":
            msg = params.get("msg", "")
            if len(msg.encode()) > 2048:
                return 200, {"success": True, "content": {"success": False, "responseCode": "MSG_TOO_LONG",
                                                          "responseMessage": "消息体超过 2048 字节"}}
            biz = params.get("bizMsgId", "")
            if biz in self.biz_ids:
                return 200, {"success": True, "content": {"success": False, "responseCode": self.DUPLICATE,
                                                          "responseMessage": "bizMsgId 重复"}}
            msg_id = f"zmsg{next(self._ids)}"
            self.biz_ids[biz] = msg_id
            for receiver in params.get("receiverIds", "").split(","):
                self.inbox[receiver].append(json.loads(msg))
            return 200, {"success": True, "content": {"success": True, "data": msg_id}}
        return 404, {"success": False, "errorCode": "NotFound"}


# ---------------------------------------------------------------- group robots


class FakeRobots(FakeServer):
    """DingTalk (``/robot/send``, signed) and WeCom (``/cgi-bin/webhook/send``) group robots.

    At most ``limit`` messages per ``window`` seconds per robot. DingTalk past it: errcode 130101 and the
    robot muted for ``mute`` seconds (every message refused until then); WeCom past it: errcode 45009."""

    def __init__(self, *, limit=20, window=60.0, mute=600.0):
        super().__init__()
        self.limit, self.window, self.mute = limit, window, mute
        self.secrets: dict[str, str] = {}  # DingTalk access token -> signing secret
        self.keys: set[str] = set()  # WeCom keys
        self.sent: dict[str, list[float]] = defaultdict(list)
        self.muted: dict[str, float] = {}
        self.refused: Counter = Counter()

    def _over(self, robot: str) -> bool:
        now = time.monotonic()
        if self.muted.get(robot, 0) > now:
            return True
        recent = [t for t in self.sent[robot] if t > now - self.window]
        self.sent[robot] = recent
        return len(recent) >= self.limit

    def handle(self, method, path, query, body, headers, raw):
        if path == "/robot/send":
            token = query.get("access_token", "")
            if token not in self.secrets:
                return 200, {"errcode": 300001, "errmsg": "token is not exist"}
            secret = self.secrets[token]
            if secret:
                ts = query.get("timestamp", "")
                if not ts.isdigit() or abs(int(ts) - time.time() * 1000) > 3600 * 1000:
                    return 200, {"errcode": 310000, "errmsg": "invalid timestamp"}
                expected = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(),
                                                     hashlib.sha256).digest()).decode()
                if query.get("sign") != expected:  # the query is already URL-decoded here
                    return 200, {"errcode": 310000, "errmsg": "sign not match"}
            if self._over(token):
                if self.muted.get(token, 0) <= time.monotonic():
                    self.muted[token] = time.monotonic() + self.mute
                self.refused[token] += 1
                return 200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
            self.sent[token].append(time.monotonic())
            self.inbox[token].append(body)
            return 200, {"errcode": 0, "errmsg": "ok"}
        if path == "/cgi-bin/webhook/send":
            key = query.get("key", "")
            if key not in self.keys:
                return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
            if self._over(key):
                self.refused[key] += 1
                return 200, {"errcode": 45009, "errmsg": "api freq out of limit"}
            self.sent[key].append(time.monotonic())
            self.inbox[key].append(body)
            return 200, {"errcode": 0, "errmsg": "ok"}
        return 404, {"errcode": 404}


# ---------------------------------------------------------------- SMS


class FakeAliyunSms(FakeServer):
    """Aliyun's SendSms (RPC style, HMAC-SHA1 signature over the sorted parameters). Approved templates
    and signatures only; at most ``per_number_day`` messages a number a day (isv.BUSINESS_LIMIT_CONTROL)."""

    def __init__(self, *, key_id="ali-id", secret="ali-secret", sign_name="住有宜居", templates=("SMS_1",),
                 per_number_day=50):
        super().__init__()
        self.key_id, self.secret, self.sign_name = key_id, secret, sign_name
        self.templates, self.per_number_day = set(templates), per_number_day
        self.per_number: Counter = Counter()
        self._ids = itertools.count(1)

    def handle(self, method, path, query, body, headers, raw):
        params = {**query, **body}
        signature = params.pop("Signature", "")
        canonical = "&".join(
            f"{urllib.parse.quote(k, safe='~')}={urllib.parse.quote(params[k], safe='~')}" for k in sorted(params)
        )
        to_sign = f"{method}&%2F&{urllib.parse.quote(canonical, safe='~')}"
        expected = base64.b64encode(hmac.new(f"{self.secret}&".encode(), to_sign.encode(), hashlib.sha1)
                                    .digest()).decode()
        if params.get("AccessKeyId") != self.key_id:
            return 404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}
        if signature != expected:
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}
        if params.get("SignName") != self.sign_name:
            return 200, {"Code": "isv.SMS_SIGNATURE_ILLEGAL", "Message": "签名不合法"}
        if params.get("TemplateCode") not in self.templates:
            return 200, {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不合法"}
        variables = json.loads(params.get("TemplateParam") or "{}")
        if any("://" in str(v) for v in variables.values()):
            return 200, {"Code": "isv.PARAM_NOT_SUPPORT_URL", "Message": "变量不支持传入URL"}
        numbers = params.get("PhoneNumbers", "").split(",")
        if any(self.per_number[n] >= self.per_number_day for n in numbers):
            return 200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发天级流控"}
        for n in numbers:
            self.per_number[n] += 1
            self.inbox[n].append(variables)
        return 200, {"Code": "OK", "Message": "OK", "BizId": f"biz{next(self._ids)}", "RequestId": "r"}


class FakeTencentSms(FakeServer):
    """Tencent Cloud's SendSms (API 3.0, TC3-HMAC-SHA256): per number a status; blacklisted numbers
    (FailedOperation.PhoneNumberInBlacklist) and the same content to a number within 30 s refused."""

    def __init__(self, *, secret_id="tc-id", secret_key="tc-key", app_id="1400000000", sign_name="住有宜居",
                 templates=("1001",), blacklist=()):
        super().__init__()
        self.secret_id, self.secret_key, self.app_id = secret_id, secret_key, app_id
        self.sign_name, self.templates, self.blacklist = sign_name, set(templates), set(blacklist)
        self.last: dict[tuple[str, str], float] = {}
        self._ids = itertools.count(1)

    def _authorized(self, headers, raw: bytes) -> bool:
        from datetime import UTC, datetime

        auth = headers.get("Authorization", "")
        ts = int(headers.get("X-TC-Timestamp", "0"))
        if abs(ts - time.time()) > 300:
            return False
        day = datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d")
        host = headers.get("Host", "")
        canonical = "\n".join([
            "POST", "/", "", f"content-type:{headers.get('Content-Type', '')}", f"host:{host}",
            f"x-tc-action:{headers.get('X-TC-Action', '').lower()}", "", "content-type;host;x-tc-action",
            hashlib.sha256(raw).hexdigest(),
        ])
        scope = f"{day}/sms/tc3_request"
        to_sign = "\n".join(["TC3-HMAC-SHA256", str(ts), scope, hashlib.sha256(canonical.encode()).hexdigest()])
        key = f"TC3{self.secret_key}".encode()
        for part in (day, "sms", "tc3_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        expected = (f"TC3-HMAC-SHA256 Credential={self.secret_id}/{scope}, "
                    f"SignedHeaders=content-type;host;x-tc-action, Signature={signature}")
        return hmac.compare_digest(auth, expected)

    def handle(self, method, path, query, body, headers, raw):
        if not self._authorized(headers, raw):
            return 200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "签名错误"},
                                      "RequestId": "r"}}
        if body.get("SmsSdkAppId") != self.app_id or body.get("SignName") != self.sign_name:
            return 200, {"Response": {"Error": {"Code": "FailedOperation.SignatureIncorrectOrUnapproved",
                                                "Message": "签名未审批或格式错误"}, "RequestId": "r"}}
        if body.get("TemplateId") not in self.templates:
            return 200, {"Response": {"Error": {"Code": "FailedOperation.TemplateIncorrectOrUnapproved",
                                                "Message": "模板未审批或内容不匹配"}, "RequestId": "r"}}
        content = json.dumps(body.get("TemplateParamSet"), ensure_ascii=False)
        statuses = []
        for phone in body.get("PhoneNumberSet", []):
            if phone in self.blacklist:
                code, msg = "FailedOperation.PhoneNumberInBlacklist", "手机号在免打扰名单库中"
            elif time.monotonic() - self.last.get((phone, content), -1e9) < 30:
                code, msg = "LimitExceeded.DeliveryFrequencyLimit", "下发短信命中了频率限制策略"
            else:
                code, msg = "Ok", "send success"
                self.last[(phone, content)] = time.monotonic()
                self.inbox[phone].append(body.get("TemplateParamSet"))
            statuses.append({"SerialNo": f"sn{next(self._ids)}", "PhoneNumber": phone, "Fee": 1, "Code": code,
                             "Message": msg, "IsoCode": "CN"})
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": "r"}}
