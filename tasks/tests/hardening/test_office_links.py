"""An uploaded office document must not make LibreOffice read what it links to (session 21, hsafe5).

The hostile documents are written the way an attacker would make them: by LibreOffice itself, from flat ODF and
raw WordprocessingML, with links to a loopback listener opened by the test (http, https, ftp on one port) and to a
file of the test's own standing for the project's settings. The listener's socket is bound, but not listening,
while the documents are made, so nothing is fetched into them then; it listens while the app converts them, and
every connection to it is counted. The secret file is written after the documents are made, for the same reason.

Found: a linked picture (Word's ``INCLUDEPICTURE "url" \\d``, an .docx image relationship with
``TargetMode="External"``) was fetched on load, three requests per conversion, by both the importers' .doc/.wps
conversion and the 公文 PDF conversion. Not followed even before: INCLUDETEXT, DDE fields, linked sections,
WEBSERVICE/DDE/external references and linked sheets of a workbook (xls cached values are used).
"""

from __future__ import annotations

import io
import shutil
import socket
import subprocess
import threading
import zipfile
from pathlib import Path

import pytest

from tasks.documents.convert import convert as convert_for_pdf
from tasks.importers.office import hardened_profile, soffice_binary
from tasks.importers.reader import read_document
from tasks.importers.sheets import calc_available

SECRET = "SECRET-MARKER-4711-settings"


class Listener:
    """A loopback TCP socket that counts connections (and answers each with a small HTTP response)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []

    def start(self):
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.connections.append(conn.recv(4096))
                    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\nFETCHED-BODY")
                except OSError:
                    self.connections.append(b"")

    def stop(self):
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


def _soffice() -> str:
    binary = soffice_binary()
    if binary is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return binary


def _writer_fodt(port: int, secret: Path) -> str:
    images = "".join(
        f'<text:p><draw:frame draw:name="img{n}" svg:width="1cm" svg:height="1cm" text:anchor-type="as-char">'
        f'<draw:image xlink:href="{scheme}://127.0.0.1:{port}/image{n}.png" xlink:type="simple" xlink:show="embed"'
        f' xlink:actuate="onLoad"/></draw:frame></text:p>'
        for n, scheme in enumerate(("http", "https", "ftp")))
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:xlink="http://www.w3.org/1999/xlink"
 xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.2"
 office:mimetype="application/vnd.oasis.opendocument.text"><office:body><office:text>
<text:p>测试区住房工作实施方案</text:p>
<text:section text:name="S1"><text:section-source xlink:href="{secret.as_uri()}" text:filter-name="Text"/>
<text:p>cached-section-file</text:p></text:section>
<text:section text:name="S2"><text:section-source xlink:href="http://127.0.0.1:{port}/section.txt"
 text:filter-name="Text"/><text:p>cached-section-http</text:p></text:section>
{images}<text:p>end of plan</text:p></office:text></office:body></office:document>'''


def _fields_docx(port: int, secret: Path) -> bytes:
    def field(instr: str, shown: str) -> str:
        return (f'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {instr} '
                f'</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{shown}</w:t></w:r>'
                f'<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')

    body = "".join([
        "<w:p><w:r><w:t>测试区住房工作实施方案</w:t></w:r></w:p>",
        field(f'INCLUDETEXT "{secret}"', "cached-include-file"),
        field(f'INCLUDETEXT "http://127.0.0.1:{port}/include.txt"', "cached-include-http"),
        field(f'DDEAUTO soffice "{secret}" ""', "cached-dde"),
        field(f'LINK Word.Document.8 "{secret}" ""', "cached-link"),
        "<w:p><w:r><w:t>end of plan</w:t></w:r></w:p>"])
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document '
                'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                f'{body}</w:body></w:document>')
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
             'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
             'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.'
             'main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def _calc_fods(port: int, secret: Path) -> str:
    def cell(formula: str, cached: str) -> str:
        return (f'<table:table-cell table:formula="of:={formula}" office:value-type="string"><text:p>{cached}'
                f'</text:p></table:table-cell>')

    return f'''<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.2"
 office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:body><office:spreadsheet>
<table:table table:name="Sheet1"><table:table-row>
<table:table-cell office:value-type="string"><text:p>序号</text:p></table:table-cell>
<table:table-cell office:value-type="string"><text:p>任务</text:p></table:table-cell></table:table-row>
<table:table-row>{cell(f"WEBSERVICE(&quot;http://127.0.0.1:{port}/ws&quot;)", "cached-ws")}
{cell(f"[&apos;{secret.as_uri()}&apos;#$secret.A1]", "cached-external")}
{cell(f"DDE(&quot;soffice&quot;;&quot;{secret}&quot;;&quot;A1&quot;)", "cached-dde")}
</table:table-row></table:table>
<table:table table:name="Linked"><table:table-source xlink:href="http://127.0.0.1:{port}/sheet.csv"
 table:filter-name="Text - txt - csv (StarCalc)" table:table-name=""/>
<table:table-row><table:table-cell office:value-type="string"><text:p>cached-sheet</text:p></table:table-cell>
</table:table-row></table:table></office:spreadsheet></office:body></office:document>'''


def _make(binary: str, folder: Path, target: str, *sources: Path) -> None:
    """LibreOffice as the attacker runs it: its default settings, a profile of its own."""
    subprocess.run([binary, f"-env:UserInstallation={(folder / 'maker').as_uri()}", "--headless", "--convert-to",
                    target, "--outdir", str(folder / "made"), *map(str, sources)],
                   capture_output=True, timeout=180, check=True)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    binary = _soffice()
    folder = tmp_path_factory.mktemp("hostile")
    listener = Listener()
    secret = folder / "settings.env"  # written after the documents are made, so none of them holds it
    (folder / "links.fodt").write_text(_writer_fodt(listener.port, secret), encoding="utf-8")
    (folder / "fields.docx").write_bytes(_fields_docx(listener.port, secret))
    _make(binary, folder, "doc:MS Word 97", folder / "links.fodt", folder / "fields.docx")
    _make(binary, folder, "docx:MS Word 2007 XML", folder / "links.fodt")
    if calc_available():
        (folder / "formulas.fods").write_text(_calc_fods(listener.port, folder / "secret.csv"), encoding="utf-8")
        _make(binary, folder, "xls:MS Excel 97", folder / "formulas.fods")
    secret.write_text(f"SECRET_KEY={SECRET}\n", encoding="utf-8")
    (folder / "secret.csv").write_text(f"{SECRET},1\n", encoding="utf-8")
    listener.start()
    yield folder / "made", listener
    listener.stop()


def _check_nothing_followed(text: str, listener: Listener) -> None:
    assert SECRET not in text
    assert "FETCHED-BODY" not in text
    assert listener.connections == [], f"LibreOffice connected out {len(listener.connections)} times: " + repr(
        [request[:60] for request in listener.connections])


def test_a_legacy_word_document_with_linked_pictures_and_sections_fetches_nothing(hostile, tmp_path):
    made, listener = hostile
    listener.connections.clear()
    upload = tmp_path / "plan.wps"  # .doc and .wps take the same conversion
    shutil.copyfile(made / "links.doc", upload)
    assert "INCLUDEPICTURE" in (made / "links.doc").read_bytes().decode("utf-16-le", "replace")
    text = read_document(upload)
    assert "测试区住房工作实施方案" in text and "end of plan" in text
    _check_nothing_followed(text, listener)


def test_a_legacy_word_document_with_include_dde_and_link_fields_reads_only_what_it_stores(hostile, tmp_path):
    made, listener = hostile
    listener.connections.clear()
    upload = tmp_path / "plan.doc"
    shutil.copyfile(made / "fields.doc", upload)
    assert "INCLUDETEXT" in upload.read_bytes().decode("utf-16-le", "replace")
    text = read_document(upload)
    assert "测试区住房工作实施方案" in text and "cached-include-file" in text
    _check_nothing_followed(text, listener)


def test_a_wps_workbook_with_webservice_external_references_and_a_linked_sheet_fetches_nothing(hostile, tmp_path):
    made, listener = hostile
    if not (made / "formulas.xls").exists():
        pytest.skip("LibreOffice Calc is not installed")
    listener.connections.clear()
    upload = tmp_path / "plan.et"
    shutil.copyfile(made / "formulas.xls", upload)
    text = read_document(upload)
    assert "序号" in text and "cached-sheet" in text
    _check_nothing_followed(text, listener)


def test_the_document_pdf_conversion_does_not_fetch_a_docx_s_external_picture(hostile):
    made, listener = hostile
    listener.connections.clear()
    data = (made / "links.docx").read_bytes()
    assert b'TargetMode="External"' in zipfile.ZipFile(io.BytesIO(data)).read("word/_rels/document.xml.rels")
    pdf = convert_for_pdf(data, source_ext="docx", target="pdf")
    assert pdf.startswith(b"%PDF")
    _check_nothing_followed("", listener)


def test_the_hardened_profile_holds_the_settings(tmp_path):
    profile = hardened_profile(tmp_path / "profile")
    settings = (profile / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")
    for expected in ('oor:name="ooInetProxyType" oor:op="fuse"><value>1<', 'oor:name="ooInetNoProxy"',
                     'oor:name="DisableMacrosExecution" oor:op="fuse"><value>true<',
                     'oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true<'):
        assert expected in settings
