"""Books: .txt in every supported encoding, chapter detection, EPUB chapters through the jobs API
(chapter files and a joined file with markers), and every kind of bad file answered with a 4xx
(tiny random-weight voice)."""

from __future__ import annotations

import dataclasses
import io
import time
import zipfile

import httpx
import numpy as np
import pytest
from conftest import decode_any, read_markers
from webserver import serve

from tts.jobs.books import BookError, book_from_text, decode_text, read_book, read_epub
from tts.jobs.service import JobService
from tts.serving.profiles import load_profile
from tts.synthesizer import Synthesizer

CHAPTERS = [("第一章 春天", "春天来了，小草从地下探出头来。桃花开了，像一片片云霞。"),
            ("第二章 夏天", "夏天到了，荷塘里的荷花开得正旺。蝉在树上不停地叫着。"),
            ("第三章 秋天", "秋天是收获的季节，田野里一片金黄。农民伯伯脸上露出了丰收的笑容。")]
TEXT = "四季\n" + "\n".join(f"{title}\n{body}" for title, body in CHAPTERS)


def make_epub(chapters=CHAPTERS, with_nav: bool = True, extra: dict[str, bytes] | None = None,
              ruby: bool = True) -> bytes:
    """An EPUB 3 made with ebooklib: one XHTML document per chapter, the navigation naming them."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("test-book")
    book.set_title("四季")
    book.set_language("zh")
    docs = []
    for n, (title, body) in enumerate(chapters):
        doc = epub.EpubHtml(title=title, file_name=f"text/ch{n + 1}.xhtml", lang="zh")
        doc.content = (f"<html><body><h1>{title}</h1><p>{body}</p><script>alert('不读')</script>"
                       + ("<p><ruby>汉<rt>hàn</rt></ruby>字。</p>" if ruby else "") + "</body></html>")
        book.add_item(doc)
        docs.append(doc)
    book.toc = docs if with_nav else []
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *docs]
    buf = io.BytesIO()
    epub.write_epub(buf, book)
    data = buf.getvalue()
    if extra:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                dst.writestr(item, src.read(item.filename))
            for name, content in extra.items():
                dst.writestr(name, content)
        data = out.getvalue()
    return data


# ---- text files ----

@pytest.mark.parametrize("encoding,bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b""),
                                          ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                          ("utf-32-le", b"\xff\xfe\x00\x00")])
def test_text_files_in_every_supported_encoding_read_the_same(encoding, bom):
    data = bom + TEXT.replace("\n", "\r\n").encode(encoding)
    book = read_book(data, "四季.txt", 2**20)
    assert book.title == "四季"
    assert [c.title for c in book.chapters] == ["前言", *(t for t, _ in CHAPTERS)]
    assert book.chapters[1].text == f"{CHAPTERS[0][0]}\n{CHAPTERS[0][1]}"  # the heading is read too


@pytest.mark.parametrize("text,titles", [
    ("第1章 开始\n正文一。\n第2章 继续\n正文二。", ["第1章 开始", "第2章 继续"]),
    ("第十二回 大闹天宫\n正文。\n第一百零一回\n正文。", ["第十二回 大闹天宫", "第一百零一回"]),
    ("Chapter 1\nIt begins.\nCHAPTER IV: Later\nIt ends.", ["Chapter 1", "CHAPTER IV: Later"]),
    ("楔子\n很久以前。\n第一章 故事\n正文。\n尾声\n结束了。", ["楔子", "第一章 故事", "尾声"]),
    ("没有标题的文字。第3章第2节写道：知识就是力量。", ["notes"]),  # a heading inside a sentence is not one
    ("第一章写得很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长的一整行正文。",
     ["notes"]),  # nor a long line that starts like one
])
def test_chapters_are_found_at_headings_on_their_own_lines(text, titles):
    assert [c.title for c in book_from_text(text, "notes").chapters] == titles


def test_text_that_is_not_text_is_refused():
    with pytest.raises(BookError, match="byte-order mark"):
        decode_text("第1章\n你好。".encode("utf-16-le"))  # UTF-16 without a BOM (newline, digit: NUL bytes)
    with pytest.raises(BookError, match="not a text file|not UTF-8"):
        decode_text(bytes(range(1, 32)) * 100)
    with pytest.raises(BookError, match="no text"):
        read_book("。。。\n——\n   ".encode(), "x.txt", 2**20)


# ---- EPUB ----

def test_an_epub_gives_its_navigation_chapters_without_scripts_ruby_or_the_toc():
    book = read_epub(make_epub(), "fallback")
    assert book.title == "四季"
    assert [c.title for c in book.chapters] == [t for t, _ in CHAPTERS]
    for (title, body), chapter in zip(CHAPTERS, book.chapters):
        assert chapter.text == f"{title}\n{body}\n汉字。"
    without_nav = read_epub(make_epub(with_nav=False), "fallback")
    assert [c.title for c in without_nav.chapters] == [t for t, _ in CHAPTERS]  # from each document's first line


def test_font_obfuscation_is_not_drm():
    obfuscated = (b'<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
                  b'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
                  b'<enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>'
                  b'<enc:CipherData><enc:CipherReference URI="fonts/a.otf"/></enc:CipherData>'
                  b'</enc:EncryptedData></encryption>')
    assert len(read_epub(make_epub(extra={"META-INF/encryption.xml": obfuscated}), "x").chapters) == 3


# ---- through the API ----

@pytest.fixture
def books_url(tiny_engine, tiny_pipeline, tmp_path):
    profile = load_profile("cpu")
    profile = dataclasses.replace(profile, jobs=dataclasses.replace(profile.jobs, max_upload_mb=1))
    s = Synthesizer(profile, tiny_engine, tiny_pipeline, warm_up=False)
    service = JobService(s, tmp_path)
    with serve(s, ui=False, jobs=service) as url:
        yield url
    service.close()
    s.close()


def upload(url: str, name: str, data: bytes, **fields) -> httpx.Response:
    return httpx.post(f"{url}/v1/jobs", files={"file": (name, data, "application/octet-stream")}, data=fields,
                      timeout=60)


def done(url: str, job_id: str) -> dict:
    deadline = time.monotonic() + 120
    while (job := httpx.get(f"{url}/v1/jobs/{job_id}").json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert job["status"] == "done", job["error"]
    return job


@pytest.mark.parametrize("fmt,chapter_suffix", [("m4b", ".m4a"), ("mp3", ".mp3")])
def test_an_epub_with_three_chapters_gives_three_files_and_a_marked_joined_file(books_url, fmt, chapter_suffix):
    r = upload(books_url, "四季.epub", make_epub(), response_format=fmt, voice="alloy", speed="1.1")
    assert r.status_code == 202, r.text
    job = done(books_url, r.json()["id"])
    assert job["title"] == "四季" and [c["title"] for c in job["chapters"]] == [t for t, _ in CHAPTERS]
    files = [httpx.get(f"{books_url}{c['url']}") for c in job["chapters"]]
    assert all(f.status_code == 200 for f in files) and len(files) == 3
    lengths = [len(decode_any(f.content, chapter_suffix)) / 24000 for f in files]
    joined = httpx.get(f"{books_url}{job['audio_url']}")
    assert joined.headers["content-disposition"].startswith("attachment")
    markers = read_markers(joined.content, f".{fmt}")
    assert [title for _, title in markers] == [t for t, _ in CHAPTERS]
    for (start, _), chapter in zip(markers, job["chapters"]):  # ffmpeg reads mp3 markers less LAME's 46 ms delay
        assert start == pytest.approx(chapter["start_s"], abs=0.05)
    total = len(decode_any(joined.content, f".{fmt}")) / 24000
    assert total == pytest.approx(sum(lengths) + 2 * 1.5, abs=0.2)  # encoder padding aside, all of it
    assert markers[1][0] == pytest.approx(lengths[0] + 1.5, abs=0.1)


def test_a_gb18030_text_file_through_the_api(books_url):
    r = upload(books_url, "四季.txt", TEXT.encode("gb18030"), response_format="wav")
    assert r.status_code == 202, r.text
    job = done(books_url, r.json()["id"])
    assert [c["title"] for c in job["chapters"]] == ["前言", *(t for t, _ in CHAPTERS)]


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in entries.items():
            z.writestr(name, content)
    return out.getvalue()


CONTAINER = (b'<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
             b'<rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles>'
             b'</container>')
DRM = (b'<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
       b'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
       b'<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
       b'<enc:CipherData><enc:CipherReference URI="text/ch1.xhtml"/></enc:CipherData>'
       b'</enc:EncryptedData></encryption>')


@pytest.mark.parametrize("name,data,status,message", [
    ("book.epub", b"this is not a zip at all", 400, "not a zip archive"),
    ("book.epub", zip_of({"hello.txt": b"hi"}), 400, "no META-INF/container.xml"),
    ("book.epub", zip_of({"META-INF/container.xml": CONTAINER}), 400, "not a valid EPUB"),
    ("book.epub", make_epub(extra={"META-INF/encryption.xml": DRM}), 400, "DRM-protected"),
    ("book.epub", make_epub(extra={"META-INF/rights.xml": b"<rights/>"}), 400, "DRM-protected"),
    ("book.epub", zip_of({"META-INF/container.xml": CONTAINER, "bomb.xhtml": bytes(20 * 2**20)}), 400, "zip bomb"),
    ("book.epub", zip_of({"META-INF/container.xml": CONTAINER,
                          **{f"part{i}.xhtml": bytes(2**20) for i in range(300)}}), 400, "zip bomb"),
    ("book.epub", make_epub(chapters=[("", "。。。")], ruby=False), 400, "no text"),
    ("book.txt", "——。。。\n\n".encode(), 400, "no text"),
    ("book.txt", bytes(range(256)) * 64, 400, "not a text file"),
    ("book.txt", "长".encode() * (2**20 // 3 + 10), 413, "larger than 1 MB"),
    ("book.pdf", b"%PDF-1.7", 415, "unsupported file type .pdf"),
])
def test_bad_files_are_answered_with_a_clear_4xx(books_url, name, data, status, message):
    r = upload(books_url, name, data)
    assert r.status_code == status, r.text
    assert message in r.json()["error"]["message"]


def test_an_upload_over_the_cap_is_refused_before_it_is_read(books_url):
    r = upload(books_url, "big.txt", b"a" * (3 * 2**20))
    assert r.status_code == 413
    assert httpx.post(f"{books_url}/v1/jobs", content=b"--x--", headers={
        "Content-Type": "multipart/form-data; boundary=x"}).status_code == 400
    assert np.all([httpx.get(f"{books_url}/healthz").status_code == 200])
