"""Books as jobs read them: a title and chapters of text, from a .txt or a DRM-free .epub.

Text files: UTF-8 (with or without a byte-order mark), GB18030 (which covers GBK and GB2312),
UTF-16 and UTF-32 with a byte-order mark. Chapters are found at headings on lines of their own:
`第X章` (回/节/卷/部/篇/集 too, Chinese or Arabic numerals), `Chapter N`, and the usual front and
back matter (序章, 楔子, 尾声, 后记, ...). EPUB: read with ebooklib; chapters follow the book's own
navigation (EPUB 3 nav document, else the NCX), each running from its document to the next
chapter's, in reading (spine) order; a book without navigation gets one chapter per document.
The navigation document itself and documents the book marks non-linear are not read.

This is book structure only: the text of each chapter goes to the pipeline whole, which alone
cuts it into segments. Anything that is not such a book is refused with a RequestError whose
status says why (400 malformed, DRM or a zip bomb, 413 too large, 415 another kind of file).
"""

from __future__ import annotations

import io
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import unquote, urldefrag

from tts.options import RequestError

MAX_ARCHIVE_ENTRIES = 10_000
MAX_ARCHIVE_BYTES = 256 * 2**20  # what an EPUB may expand to, all entries together
MAX_RATIO = 200  # compressed:expanded beyond this, for an entry over 1 MiB, is a zip bomb, not a book
# Font obfuscation (IDPF, Adobe) "encrypts" embedded fonts only, to stop them being reused; the
# text stays readable. Any other entry in encryption.xml means the content itself is encrypted.
FONT_OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
NUMERALS = "0-9０-９零〇一二两三四五六七八九十百千万"
HEADING = re.compile(
    rf"^(?:第[{NUMERALS}]+[章回节卷部篇集幕]|(?:chapter|part|book)\s+(?:\d+|[ivxlcdm]+)\b"
    r"|序章|序言|序|前言|引子|楔子|尾声|后记|番外|终章)(?:[\s:：.、·—-]|$)", re.IGNORECASE)
MAX_HEADING_CHARS = 50
BLOCK_TAGS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article",
              "dt", "dd", "pre", "hr", "table", "ul", "ol")


class BookError(RequestError):
    """A file that cannot be read as a book; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message, "file", status=status)


@dataclass(frozen=True)
class Chapter:
    title: str
    text: str


@dataclass(frozen=True)
class Book:
    title: str
    chapters: tuple[Chapter, ...]

    @property
    def chars(self) -> int:
        return sum(len(c.text) for c in self.chapters)


def read_book(data: bytes, filename: str, max_bytes: int) -> Book:
    """A .txt or .epub upload as a book (BookError for anything else)."""
    name = posixpath.basename((filename or "").replace("\\", "/"))
    stem, dot, ext = name.rpartition(".")
    ext = ext.lower() if dot else ""
    title = stem if dot else name
    if len(data) > max_bytes:
        raise BookError(f"the file is larger than {max_bytes // 2**20} MB", 413)
    if ext == "epub":
        return read_epub(data, title)
    if ext in ("txt", "text", ""):
        return book_from_text(decode_text(data), title or "book")
    raise BookError(f"unsupported file type .{ext}: send a .txt (UTF-8, GB18030 or UTF-16) or a DRM-free .epub", 415)


# ---- text ----

_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xef\xbb\xbf", "utf-8-sig"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode_text(data: bytes) -> str:
    """Text of a .txt upload: by its byte-order mark, else UTF-8, else GB18030."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding.replace("-sig", ""))
            except UnicodeDecodeError:
                raise BookError(f"the file starts with a {encoding.upper()} byte-order mark but is not "
                                f"valid {encoding.upper()} text") from None
    if b"\x00" in data:
        raise BookError("not a text file (it has NUL bytes); UTF-16 text needs a byte-order mark")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
        if controls > max(2, len(text) // 100):
            raise BookError("not a text file (it is full of control characters)")
        return text
    raise BookError("the file is not UTF-8, GB18030 or UTF-16 (with a byte-order mark) text")


def book_from_text(text: str, title: str) -> Book:
    """Chapters at the text's headings (module doc); text before the first is a chapter too."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    chapters: list[tuple[str, list[str]]] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped and len(stripped) <= MAX_HEADING_CHARS and HEADING.match(stripped):
            chapters.append((stripped, [stripped]))
        else:
            if not chapters:
                chapters.append(("", []))
            chapters[-1][1].append(line)
    found = [Chapter(name, "\n".join(lines).strip()) for name, lines in chapters]
    found = [c for c in found if speakable(c.text)]
    if not found:
        raise BookError("the file has no text to read")
    if len(found) == 1 and not found[0].title:
        return Book(title, (Chapter(title, found[0].text),))
    return Book(title, tuple(Chapter(c.title or "前言", c.text) for c in found))


def speakable(text: str) -> bool:
    """Whether there is anything to read aloud: a letter or digit of any script."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


# ---- EPUB ----

def read_epub(data: bytes, fallback_title: str) -> Book:
    archive = _open_archive(data)
    _refuse_drm(archive)
    import ebooklib
    from ebooklib import epub

    try:
        book = epub.read_epub(io.BytesIO(data), {"ignore_ncx": False})
    except Exception as exc:  # noqa: BLE001 - ebooklib raises many kinds for a malformed book
        raise BookError(f"not a valid EPUB: {exc}") from None
    titles = book.get_metadata("DC", "title")
    title = (titles[0][0] if titles and titles[0][0] else fallback_title).strip() or fallback_title
    documents = []  # (file name, text) in reading order
    for idref, linear in book.spine:
        item = book.get_item_with_id(idref)
        # The navigation document is the table of contents, not text of the book; documents
        # marked non-linear (notes, answers) are outside the reading order by the book's own say.
        if (item is None or item.get_type() != ebooklib.ITEM_DOCUMENT or isinstance(item, epub.EpubNav)
                or linear == "no"):
            continue
        documents.append((item.get_name(), html_text(item.get_content())))
    position = {name: n for n, (name, _) in enumerate(documents)}
    starts: dict[int, str] = {}
    for label, href in _flatten_toc(book.toc):
        target = posixpath.normpath(unquote(urldefrag(href)[0]))
        if target in position:
            starts.setdefault(position[target], label)  # several entries in one document: the first names it
    chapters: list[Chapter] = []
    if starts:
        bounds = sorted(starts)
        if bounds[0] > 0:  # front matter before the first chapter of the navigation
            front = "\n".join(text for _, text in documents[: bounds[0]])
            if speakable(front):
                chapters.append(Chapter("前言", front.strip()))
        for k, start in enumerate(bounds):
            end = bounds[k + 1] if k + 1 < len(bounds) else len(documents)
            text = "\n".join(t for _, t in documents[start:end]).strip()
            if speakable(text):
                chapters.append(Chapter(starts[start].strip() or f"第{len(chapters) + 1}部分", text))
    else:
        for _, text in documents:
            if speakable(text):
                chapters.append(Chapter(text.strip().split("\n", 1)[0][:MAX_HEADING_CHARS], text.strip()))
    if not chapters:
        raise BookError("the EPUB has no text to read")
    del archive
    return Book(title, tuple(chapters))


def _open_archive(data: bytes) -> zipfile.ZipFile:
    """The EPUB's zip, after checking it is a zip and cannot expand beyond reason. Python's
    zipfile never yields more than an entry's declared size, so the declared sizes bound what
    reading it can produce."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BookError("not an EPUB (not a zip archive)") from None
    entries = archive.infolist()
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        raise BookError(f"the archive has {len(entries)} entries (at most {MAX_ARCHIVE_ENTRIES}): not a book")
    expanded = sum(e.file_size for e in entries)
    if expanded > MAX_ARCHIVE_BYTES:
        raise BookError(f"the archive expands to {expanded // 2**20} MB (at most {MAX_ARCHIVE_BYTES // 2**20} MB): "
                        "a zip bomb, not a book")
    for e in entries:
        if e.file_size > 2**20 and e.file_size > MAX_RATIO * max(1, e.compress_size):
            raise BookError(f"{e.filename} expands {e.file_size // max(1, e.compress_size)}-fold: a zip bomb, not a book")
    if "META-INF/container.xml" not in archive.namelist():
        raise BookError("not an EPUB (no META-INF/container.xml)")
    return archive


def _refuse_drm(archive: zipfile.ZipFile) -> None:
    names = set(archive.namelist())
    if "META-INF/rights.xml" in names:
        raise BookError("the EPUB is DRM-protected (META-INF/rights.xml); only DRM-free books can be read")
    if "META-INF/encryption.xml" not in names:
        return
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(archive.read("META-INF/encryption.xml"), parser)
    except etree.XMLSyntaxError:
        raise BookError("the EPUB is DRM-protected (unreadable META-INF/encryption.xml)") from None
    algorithms = {m.get("Algorithm") for m in root.iter("{*}EncryptionMethod")}
    if not algorithms or algorithms - FONT_OBFUSCATION:
        raise BookError("the EPUB is DRM-protected (its content is encrypted, META-INF/encryption.xml); "
                        "only DRM-free books can be read")


def _flatten_toc(toc) -> list[tuple[str, str]]:
    """(title, href) of every navigation entry, depth first, in order."""
    from ebooklib import epub

    out = []
    if not isinstance(toc, (list, tuple)) or (isinstance(toc, tuple) and len(toc) == 2
                                              and not isinstance(toc[0], (tuple, list))):
        toc = [toc]  # ebooklib gives a lone entry (or section) unwrapped
    for entry in toc:
        if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], (list, tuple)):
            section, children = entry
            if getattr(section, "href", None):
                out.append((section.title or "", section.href))
            out.extend(_flatten_toc(children))
        elif isinstance(entry, (epub.Link, epub.EpubHtml)):
            href = entry.href if isinstance(entry, epub.Link) else entry.file_name
            out.append((entry.title or "", href))
    return out


def html_text(content: bytes) -> str:
    """The readable text of an (X)HTML document: block elements on lines of their own; scripts,
    styles and the head left out."""
    import lxml.html
    from lxml import etree

    if not content.strip():
        return ""
    try:
        root = lxml.html.document_fromstring(content)
    except (etree.ParserError, ValueError):
        return ""
    for node in root.xpath("//script|//style|//head|//rt"):  # rt: ruby annotations (pinyin over 汉字)
        node.drop_tree()
    for node in root.iter(*BLOCK_TAGS):
        node.tail = "\n" + (node.tail or "")
        if node.tag == "br":
            continue
        node.text = "\n" + (node.text or "")
    lines = (re.sub(r"[ \t\u3000]+", " ", line).strip() for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)
