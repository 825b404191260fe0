"""Every uploaded document's reader runs under the import caps, whatever the file is named (session 21, hsafe5).

Found: ``check_document`` chose its checks by the file's name while the readers go by content: a .doc or .wps
that is a zip is read as a .docx (WPS saves .docx content under the old names), so a zip bomb named .doc passed
the inflated-size cap and python-docx inflated it whole. And the minutes of the decisions import were read in
the web worker itself, outside the time and memory caps the plan import runs under (a slow LibreOffice
conversion or a parser blow-up held the request).
"""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tasks.importers import PlanParseError
from tasks.importers import limits as limits_module
from tasks.importers.decisions import read_decisions
from tasks.importers.limits import Limits, check_document
from tasks.models import WorkItem
from tasks.tests.daily_setup import login, make_world

BODY = b'<?xml version="1.0"?><w:document xmlns:w="x"><w:body>'


def _docx_bomb(megabytes: int) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("会议纪要")
    plain = io.BytesIO()
    document.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = BODY + b" " * (megabytes * 1024 * 1024) + b"</w:body></w:document>"
            archive.writestr(info.filename, data)
    return out.getvalue()


@pytest.mark.parametrize("name", ["纪要.doc", "纪要.wps", "纪要.txt", "纪要.pdf", "纪要"])
def test_a_zip_inflating_past_the_cap_is_refused_whatever_its_name(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(_docx_bomb(3))
    start = time.perf_counter()
    with pytest.raises(PlanParseError, match="1 MB"):
        check_document(path, Limits(inflated_bytes=1024 * 1024), name=name)
    assert time.perf_counter() - start < 2


def test_a_spreadsheet_named_zip_keeps_its_own_checks(tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(_docx_bomb(3))
    with pytest.raises(PlanParseError):  # the workbook's own caps (or "not a workbook"), not the .docx page count
        check_document(path, Limits(inflated_bytes=1024 * 1024), name=path.name)


def test_minutes_are_read_under_the_time_cap(tmp_path, monkeypatch):
    path = tmp_path / "纪要.txt"
    path.write_text("由区建设局牵头，8月底前完成。", encoding="utf-8")

    def slow(*args, **kwargs):
        time.sleep(30)

    monkeypatch.setattr(limits_module, "_read_text", slow)  # the forked child inherits it
    start = time.perf_counter()
    with pytest.raises(PlanParseError, match="秒上限"):
        read_decisions(path, limits=Limits(seconds=1))
    assert time.perf_counter() - start < 5


@pytest.mark.django_db
def test_the_minutes_upload_refuses_a_zip_bomb_named_doc_with_the_cap_named(settings):
    settings.IMPORT_MAX_INFLATED_MB = 1
    w = make_world()
    client = login(Client(), w.coordinator)
    url = reverse("tasks:decisions_upload", args=[w.plan.slug])
    upload = SimpleUploadedFile("纪要.doc", _docx_bomb(3), content_type="application/msword")
    start = time.perf_counter()
    response = client.post(url, {"document": upload, "origin": "meeting", "step": "preview"})
    assert time.perf_counter() - start < 5
    assert response.status_code == 200 and "1 MB" in response.content.decode()
    assert not WorkItem.objects.filter(origin="meeting").exists()


_LAUGHS = ('<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">' + "".join(
    f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefg", "bcdefgh", strict=True))
    + '<!ENTITY x SYSTEM "{secret}">]>')


@pytest.mark.parametrize("entity", ["&h;", "&x;"])
def test_entities_in_a_docx_neither_expand_nor_read_files(tmp_path, entity):
    """Checked and sound (lxml under python-docx: entities not resolved, amplification capped); kept as a guard."""
    import docx

    secret = tmp_path / "settings.env"
    secret.write_text("SECRET_KEY=entity-4711", encoding="utf-8")
    document = docx.Document()
    document.add_paragraph("PLACEHOLDER")
    plain = io.BytesIO()
    document.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                text = data.decode()
                head = text.index("?>") + 2
                text = text[:head] + _LAUGHS.format(secret=secret.as_uri()) + text[head:]
                data = text.replace("PLACEHOLDER", "会议纪要" + entity).encode()
            archive.writestr(info.filename, data)
    path = tmp_path / "纪要.docx"
    path.write_bytes(out.getvalue())
    start = time.perf_counter()
    try:
        text = limits_module.read_text(path, limits=Limits(seconds=0))
    except PlanParseError as exc:
        text = exc.message
    assert time.perf_counter() - start < 2
    assert "entity-4711" not in text and "aaaaaaaaaa" not in text


def test_a_text_that_begins_with_pk_is_still_text(tmp_path):
    path = tmp_path / "纪要.txt"
    path.write_text("PK赛结果：由区建设局牵头，8月底前完成。", encoding="utf-8")
    check_document(path, Limits(inflated_bytes=1024 * 1024), name=path.name)
    assert "区建设局" in limits_module.read_text(path, limits=Limits(seconds=0))
