"""SSML (Alibaba and Azure dialects) -> the document model, parsed safely and with offsets.

The markup is read with defusedxml's SAX parser: no DTD, no entity declarations, no external
entities (so no billion laughs and no file reads), and limits on nesting depth, element count
and attribute size. Every text node keeps, character by character, its position in the markup
as sent (entities and line breaks map to what they stood for), so timestamps point into the
caller's own input. Elements become spans with controls:

* <speak rate pitch volume voice> (Alibaba's numeric attributes), <voice name>, <prosody rate
  pitch volume>, <emotion category intensity> (Alibaba), <mstts:express-as style styledegree>
  (Azure): controls of the spans inside, nested ones applied on top;
* <break time strength>: an exact silence after what comes before;
* <p>, <s>: sentence boundaries (a full stop is read where the text has none);
* <phoneme alphabet ph>, <sub alias>, <say-as interpret-as>, <w>: what is read for their text;
* <emphasis level>: louder and a little slower (values.EMPHASIS); <lang>: its text, read by the
  Mandarin voice; <audio>: its fallback content (W3C: a processor that does not play the clip
  speaks what the element holds);
* <bookmark mark> (Azure), <mark name> (W3C): named points, timed in the timestamps answer;
* <mstts:silence type value> (Azure): silence before the first word, after the last, or after
  every sentence.

Unknown elements are an error naming them (strict), or their text is spoken and they are
reported (lenient): `ignored` lists them, and the attributes and silences left out.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.sax import SAXException, SAXParseException
from xml.sax.handler import ContentHandler, feature_namespaces

from tts.document import Controls, Document, Mark, Span
from tts.frontend.alignment import SourceMap
from tts.frontend.textclasses import CLOSING, SENTENCE_END
from tts.ssml import say_as, values
from tts.ssml.values import SSMLError

MAX_DEPTH = 64
MAX_ELEMENTS = 10_000
MAX_ATTRIBUTE_CHARS = 65_536  # all attribute values together
MSTTS = ("https://www.w3.org/2001/mstts", "http://www.w3.org/2001/mstts")
SUPPORTED = ("speak", "voice", "p", "s", "break", "prosody", "emotion", "express-as", "phoneme", "sub", "say-as", "w",
             "emphasis", "lang", "audio", "bookmark", "mark", "mstts:silence")
TEXT_ONLY = ("phoneme", "sub", "say-as", "w")  # elements whose text is read another way: text inside only


# rate / pitch / volume attributes -> (the setting, how its value reads): Alibaba's numeric scales
# on <speak>, W3C/Azure keywords, percentages and units on <prosody>.
_SETTING_ATTRIBUTES = {
    "speak": {"rate": ("speed", values.alibaba_rate), "pitch": ("pitch", values.alibaba_pitch),
              "volume": ("energy", values.alibaba_volume)},
    "prosody": {"rate": ("speed", values.rate), "pitch": ("pitch", values.pitch), "volume": ("energy", values.volume)},
}


@dataclass
class _Element:
    name: str
    controls: Controls
    line: int
    column: int
    attrs: dict[str, str]
    text: list[tuple[str, int, int, bool]] = field(default_factory=list)  # text held by a TEXT_ONLY element


class _Handler(ContentHandler):
    def __init__(self, source: str, strict: bool, read_word: Callable[[str], list[str]]):
        super().__init__()
        self.source = source
        self.strict = strict
        self.read_word = read_word
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", source)]
        self.stack: list[_Element] = []
        self.spans: list[Span] = []
        self.notes: list[str] = []
        self.ignored: list[str] = []  # elements, attributes and silences left out (each once)
        self.marks: list[Mark] = []
        self.silences: dict[str, float] = {}  # mstts:silence place -> seconds
        self.elements = 0
        self.attribute_chars = 0
        self.spoken = 0
        self._pending: tuple[str, int] | None = None  # text whose end is the next event's position
        self.locator = None

    # -- positions

    def setDocumentLocator(self, locator) -> None:
        self.locator = locator

    def _where(self) -> tuple[int, int]:
        if self.locator is None:  # the SAX parser always sets one before the first event
            return 0, 0
        return self.locator.getLineNumber(), self.locator.getColumnNumber()

    def _offset(self) -> int:
        line, column = self._where()
        return min(len(self.source), self.line_starts[min(line, len(self.line_starts)) - 1] + column)

    def _flush(self) -> None:
        """Place the text seen last, now that the next event says where it ended."""
        if self._pending is None:
            return
        data, start = self._pending
        self._pending = None
        end = self._offset()
        if end - start == len(data) and self.source[start:end] == data:
            mapped = [(ch, start + i, start + i + 1) for i, ch in enumerate(data)]
        else:  # an entity, a CDATA marker or a normalized line break: all of it stands for the data
            mapped = [(ch, start, max(start + 1, end)) for ch in data]
        self._text(mapped)

    def _fail(self, message: str) -> SSMLError:
        line, column = self._where()
        return SSMLError(message, line, column)

    # -- SAX events

    def startElementNS(self, name, qname, attrs) -> None:
        self._flush()
        uri, local = name
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise self._fail(f"more than {MAX_ELEMENTS} elements")
        if len(self.stack) >= MAX_DEPTH:
            raise self._fail(f"elements nested deeper than {MAX_DEPTH}")
        plain = {}
        for (_, attr), value in attrs.items():
            self.attribute_chars += len(value)
            plain[attr] = value
        if self.attribute_chars > MAX_ATTRIBUTE_CHARS:
            raise self._fail(f"attributes longer than {MAX_ATTRIBUTE_CHARS} characters in all")
        if uri in MSTTS and local != "express-as":
            local = "mstts:" + local  # Azure's other extensions are not supported
        if not self.stack and local != "speak":
            raise self._fail("SSML must start with <speak>")
        parent = self.stack[-1] if self.stack else None
        if parent is not None and parent.name in TEXT_ONLY:
            raise self._fail(f"<{parent.name}> may only hold text, not <{local}>")
        line, column = self._where()
        controls = parent.controls if parent else Controls()
        if local not in SUPPORTED:
            if self.strict:
                raise self._fail(f"element <{local}> is not supported (supported: {', '.join(SUPPORTED)}); "
                                 "send ssml_strict=false to speak its text anyway")
            self.notes.append(f"<{local}> is not supported and was left out (any text inside it is spoken plainly)")
            self._ignore(f"<{local}>")
        else:
            try:
                controls = self._controls(local, plain, controls)
            except SSMLError as exc:
                raise SSMLError(str(exc), line, column) from None
        if local in ("p", "s"):
            self._end_sentence()
        if local == "break":
            self._break(plain, line, column)
        elif local in ("bookmark", "mark"):
            name = plain.get("mark" if local == "bookmark" else "name")
            if not name:
                raise SSMLError(f"<{local}> needs a {'mark' if local == 'bookmark' else 'name'}", line, column)
            self.marks.append(Mark(name, self._offset()))
        elif local == "mstts:silence":
            self._silence(plain, line, column)
        self.stack.append(_Element(local, controls, line, column, plain))

    def endElementNS(self, name, qname) -> None:
        self._flush()
        element = self.stack.pop()
        if element.name in TEXT_ONLY:
            try:
                self._read_as(element)
            except SSMLError as exc:
                raise SSMLError(str(exc), element.line, element.column) from None
        elif element.name in ("p", "s"):
            self._end_sentence()

    def characters(self, content: str) -> None:
        if not self.stack:
            return
        self._flush()
        self._pending = (content, self._offset())

    def endDocument(self) -> None:
        self._flush()

    # -- building spans

    def _controls(self, name: str, attrs: dict[str, str], outer: Controls) -> Controls:
        own: dict[str, Any] = {setting: convert(attrs[attr])
                                  for attr, (setting, convert) in _SETTING_ATTRIBUTES.get(name, {}).items()
                                  if attr in attrs}
        if name == "speak" and "voice" in attrs:  # Alibaba names the voice on the root
            own["voice"] = self._voice(attrs["voice"])
        elif name == "voice":
            if "name" not in attrs:
                raise SSMLError("<voice> needs a name")
            own["voice"] = self._voice(attrs["name"])
        elif name == "prosody":
            for ignored in ("contour", "range", "duration"):
                if ignored in attrs:
                    self.notes.append(f"<prosody {ignored}> is not supported and was ignored")
        elif name in ("emotion", "express-as"):
            key = "category" if name == "emotion" else "style"
            if key not in attrs:
                raise SSMLError(f"<{name}> needs a {key}")
            try:
                preset, factor, note = values.emotion(attrs[key])
            except SSMLError:
                if self.strict:
                    raise
                self.notes.append(f"{key} {attrs[key]!r} is not supported and was ignored")
                self._ignore(f"<{name} {key}={attrs[key]}>")
                return outer
            degree = attrs.get("intensity" if name == "emotion" else "styledegree")
            own["emotion"] = preset
            own["emotion_intensity"] = factor * (values.intensity(degree, key) if degree is not None else 1.0)
            if note:
                self.notes.append(f"{key} {attrs[key]!r}: {note}")
            if "role" in attrs:
                voice = values.ROLE_VOICES.get(attrs["role"].strip().lower())
                if voice is None:
                    self.notes.append(f"<{name} role={attrs['role']!r}> is not a known role and was ignored")
                    self._ignore(f"<{name} role>")
                else:
                    own["voice"] = voice
                    self.notes.append(f"role {attrs['role']!r} is spoken by {voice!r}")
        elif name == "emphasis":
            energy, speed = values.emphasis(attrs.get("level"))
            if energy != 1.0:
                own.update(energy=energy, speed=speed)
        elif name == "lang":
            lang = attrs.get("lang", "")
            if lang and not lang.lower().startswith("zh"):
                self.notes.append(f"<lang xml:lang={lang!r}>: read by the Mandarin voice")
        elif name == "audio":
            self.notes.append(f"<audio src={attrs.get('src', '')!r}> is not played; its text was spoken instead")
            self._ignore("<audio src>")
        return outer.merged(Controls(**own)) if own else outer

    def _ignore(self, what: str) -> None:
        if what not in self.ignored:
            self.ignored.append(what)

    def _silence(self, attrs: dict[str, str], line: int, column: int) -> None:
        """<mstts:silence type value>: Azure's document-wide silences (values.SILENCE_PLACES)."""
        kind = attrs.get("type", "")
        base = kind.strip().lower().removesuffix("-exact")
        try:
            seconds = values.break_seconds(attrs.get("value"), None)
        except SSMLError as exc:
            raise SSMLError(f"<mstts:silence> value: {exc}", line, column) from None
        place = values.SILENCE_PLACES.get(base)
        if place is None:
            if base not in values.SILENCE_UNPLACED:
                raise SSMLError(f"<mstts:silence> type {kind!r} is not one of Azure's types", line, column)
            self.notes.append(f"<mstts:silence type={kind!r}> has no equivalent here and was ignored")
            self._ignore(f"<mstts:silence type={kind}>")
            return
        self.silences[place] = seconds

    def finish(self) -> tuple[Span, ...]:
        """The spans, with the document-wide silences of <mstts:silence> put in their places."""
        spans = list(self.spans)
        if "sentence" in self.silences:
            spans = _pause_after_sentences(spans, self.silences["sentence"])
        if "leading" in self.silences:
            spans.insert(0, Span("", SourceMap((), ()), Controls(), self.silences["leading"]))
        if "tailing" in self.silences and spans:
            last = spans[-1]
            spans[-1] = Span(last.text, last.source, last.controls, (last.pause_after or 0.0) + self.silences["tailing"])
        return tuple(spans)

    def _voice(self, name: str) -> str:
        from tts.expressive.voices import VOICES, aliased_voice

        if name in VOICES:
            return name
        mapped = aliased_voice(name, "ssml")
        if mapped is None:
            raise SSMLError(f"unknown voice {name!r} (available: {', '.join(VOICES)})")
        self.notes.append(f"voice {name!r} is spoken by {mapped!r} (the only speaker here is Baker)")
        return mapped

    def _break(self, attrs: dict[str, str], line: int, column: int) -> None:
        try:
            seconds = values.break_seconds(attrs.get("time"), attrs.get("strength"))
        except SSMLError as exc:
            raise SSMLError(str(exc), line, column) from None
        if not self.spans:  # a break before anything is said: silence first
            self.spans.append(Span("", SourceMap((), ()), Controls(), seconds))
            return
        last = self.spans[-1]
        self.spans[-1] = Span(last.text, last.source, last.controls, (last.pause_after or 0.0) + seconds)

    def _text(self, mapped: list[tuple[str, int, int]]) -> None:
        element = self.stack[-1]
        if element.name in TEXT_ONLY:
            element.text.extend((ch, s, e, True) for ch, s, e in mapped)
            return
        self.spoken += sum(1 for ch, _, _ in mapped if not ch.isspace())
        self._emit([(ch, s, e) for ch, s, e in mapped], element.controls)

    def _emit(self, mapped: list[tuple[str, int, int]], controls: Controls) -> None:
        if not mapped:
            return
        text = "".join(ch for ch, _, _ in mapped)
        source = SourceMap(tuple(s for _, s, _ in mapped), tuple(e for _, _, e in mapped))
        last = self.spans[-1] if self.spans else None
        if last is not None and last.pause_after is None and last.controls == controls:
            self.spans[-1] = Span(last.text + text, SourceMap.join([last.source, source]), controls)
        else:
            self.spans.append(Span(text, source, controls))

    def _end_sentence(self) -> None:
        """<p> and <s> bound sentences: read a full stop where the text does not end one."""
        last = next((s for s in reversed(self.spans) if s.text.strip()), None)
        if last is None:
            return
        tail = last.text.rstrip().rstrip("".join(CLOSING))
        if tail and tail[-1] not in SENTENCE_END and tail[-1] not in "。.\n":
            at = last.source.ends[-1] if len(last.source) else 0
            self._emit([("。", at, at)], self.spans[-1].controls if self.spans else Controls())

    def _read_as(self, element: _Element) -> None:
        chars = [(ch, s, e) for ch, s, e, _ in element.text]
        content = "".join(ch for ch, _, _ in chars)
        controls = element.controls
        if not content.strip():
            raise SSMLError(f"<{element.name}> holds no text")
        self.spoken += sum(1 for ch in content if not ch.isspace())

        def over(i: int, j: int) -> tuple[int, int]:
            """The markup range of content characters [i, j) (a point for an empty range)."""
            if i >= j:
                at = chars[i][1] if i < len(chars) else chars[-1][2]
                return at, at
            return min(s for _, s, _ in chars[i:j]), max(e for _, _, e in chars[i:j])

        if element.name == "sub":
            if "alias" not in element.attrs or not element.attrs["alias"].strip():
                raise SSMLError("<sub> needs an alias")
            s, e = over(0, len(chars))
            self._emit([(ch, s, e) for ch in element.attrs["alias"]], controls)
        elif element.name == "phoneme":
            if "ph" not in element.attrs:
                raise SSMLError("<phoneme> needs ph")
            syllables = values.syllables(element.attrs.get("alphabet"), element.attrs["ph"])
            self._override(chars, syllables, controls)
        elif element.name == "w":  # one word: read as it reads alone, never cut apart
            word = content.strip()
            if 1 <= len(word) <= 32 and not any(c.isspace() for c in word) and self.read_word(word):
                self._override(chars, tuple(self.read_word(word)), controls)
            else:
                self._emit(chars, controls)
        else:  # say-as
            if "interpret-as" not in element.attrs:
                raise SSMLError("<say-as> needs interpret-as")
            for text, i, j in say_as.read(element.attrs["interpret-as"], content):
                s, e = over(i, j)
                if text == content[i:j]:
                    self._emit(chars[i:j], controls)
                else:
                    self._emit([(ch, s, e) for ch in text], controls)

    def _override(self, chars: list[tuple[str, int, int]], syllables: tuple[str, ...], controls: Controls) -> None:
        """The text read with the given syllables, as the frontend's inline {word|pinyin} form."""
        word = "".join(ch for ch, _, _ in chars).strip()
        if not 1 <= len(word) <= 32 or any(c.isspace() for c in word):
            raise SSMLError("<phoneme> text must be one word of at most 32 characters, without spaces")
        from tts.frontend.lexicon import parse_syllables

        try:
            parse_syllables(word, " ".join(syllables))
        except ValueError as exc:
            raise SSMLError(f"<phoneme>: {exc}") from None
        kept = [(ch, s, e) for ch, s, e in chars if not ch.isspace()]
        start, end = kept[0][1], kept[-1][2]
        self._emit([("{", start, start)] + kept + [(ch, end, end) for ch in "|" + " ".join(syllables) + "}"],
                   controls)



def _pause_after_sentences(spans: list[Span], seconds: float) -> list[Span]:
    """The spans cut after every sentence end (its closing quotes kept with it), each cut
    followed by `seconds` of silence in place of the pause punctuation would give; a break of
    the markup's own there is kept if it is longer."""
    out: list[Span] = []
    for span in spans:
        ends = [m.end() for m in _SENTENCE_END.finditer(span.text)]
        start = 0
        for end in ends + ([len(span.text)] if not ends or ends[-1] != len(span.text) else []):
            pause = span.pause_after if end == len(span.text) else None
            if end in ends:
                pause = max(seconds, pause or 0.0)
            out.append(Span(span.text[start:end], SourceMap(span.source.starts[start:end], span.source.ends[start:end]),
                            span.controls, pause))
            start = end
    return out


_SENTENCE_END = re.compile(f"[{re.escape(''.join(SENTENCE_END))}]+[{re.escape(''.join(CLOSING))}]*")


@dataclass(frozen=True)
class ParsedSSML:
    document: Document
    notes: tuple[str, ...]
    spoken_chars: int
    ignored: tuple[str, ...] = ()  # elements, attributes and silences left out: what X-SSML-Ignored says


def parse(text: str, read_word: Callable[[str], list[str]], strict: bool = True) -> ParsedSSML:
    """Parse SSML into a Document (SSMLError, with line and column, for anything wrong).

    `read_word` gives a word's syllables as it reads alone (for <w>): the pipeline's frontend.
    """
    import defusedxml.sax
    from defusedxml import DefusedXmlException

    handler = _Handler(text, strict, read_word)
    parser = defusedxml.sax.make_parser()
    parser.forbid_dtd = True
    parser.forbid_entities = True
    parser.forbid_external = True
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(handler)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise SSMLError("SSML holds characters that are not valid Unicode (unpaired surrogates)") from None
    try:
        parser.parse(io.BytesIO(data))
    except SAXParseException as exc:
        raise SSMLError(f"malformed SSML: {exc.getMessage()}", exc.getLineNumber(), exc.getColumnNumber()) from None
    except DefusedXmlException:
        line, column = handler._where() if handler.locator else (None, None)
        raise SSMLError("DTDs and entity declarations are not allowed in SSML", line, column) from None
    except SAXException as exc:
        raise SSMLError(f"malformed SSML: {exc.getMessage()}") from None
    return ParsedSSML(Document(text, handler.finish(), marks=tuple(handler.marks)), tuple(handler.notes),
                      handler.spoken, tuple(handler.ignored))
