"""Text that arrives a few characters at a time (an LLM's reply) -> sentences to speak, in order.

The one incremental planner behind every streaming-input entry point (the Wyoming server's
synthesize-chunk, the DashScope-style WebSocket's continue-task). A voice assistant streams its
reply as it is generated; waiting for the whole reply before speaking would add the LLM's whole
generation time to the silence. `SentenceBuffer` hands out each sentence as soon as it is
complete, so it can be spoken while the rest is still coming; `SentencePlan` says how each one is
requested so that the streamed audio is the audio of the whole text sent at once.

"Complete" uses the frontend's own sentence boundaries (`Frontend.split`, the same cut one
whole text would get), so a streamed reply is cut where the same reply sent at once would be.
Every piece but the last of the buffered text is complete; the last one is complete only when
its end cannot change with more text:

* it ends with unambiguous sentence-final punctuation (。！？!?；;, closing quotes skipped), or a
  newline follows it;
* a trailing "." waits for the next character, and the splitter then decides: "3." may become
  "3.5" and "Mr." may go on; an ellipsis (… is "..." after NFKC) usually comes doubled (……),
  and cutting between the two would leave the second one as a sentence of its own.

A closing quote that arrives in the next chunk after "！" then starts the next sentence, where
the frontend ignores it; no text is ever lost or spoken twice (tested). A run of text with no
sentence end at all is handed out once it reaches `max_chars` (the request limit), so the buffer
stays bounded and the synthesizer cuts it at clauses itself.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from tts.expressive.presets import pause_seconds, resolve
from tts.frontend import Segment
from tts.frontend.splitter import pause_after
from tts.frontend.textclasses import CLOSING, SENTENCE_END
from tts.options import SynthesisOptions

# Characters (after NFKC) that may end a sentence; text without any of them cannot have a
# complete sentence, so it is not split again (a long run of text stays linear in cost).
_MAY_END = SENTENCE_END | {".", "\n"}


@dataclass(frozen=True)
class Sentence:
    """One complete sentence of the caller's text, exactly as sent (whitespace around it included)."""

    text: str
    pause_after: float  # seconds of silence the splitter puts after it when more text follows


def _ends_sentence(text: str) -> bool:
    """Whether a split piece's (NFKC, stripped) text ends a sentence whatever text comes next."""
    core = text.rstrip("".join(CLOSING))
    return bool(core) and core[-1] in SENTENCE_END and core[-1] != "."


class SentenceBuffer:
    """Accumulates streamed text; `add` returns the sentences it completed, `finish` the rest."""

    def __init__(self, split: Callable[[str, int], list[Segment]], max_chars: int):
        self._split = split  # Frontend.split(text, max_chars)
        self._max_chars = max_chars
        self._pending = ""
        self._may_end = False  # whether the pending text holds a possible sentence end

    def add(self, text: str) -> list[Sentence]:
        """Take the next piece of text; the sentences completed by it, in order (often none)."""
        self._pending += text
        self._may_end = self._may_end or not _MAY_END.isdisjoint(unicodedata.normalize("NFKC", text))
        done = self._complete() if self._may_end else []
        if not done and len(self._pending) >= self._max_chars:  # no sentence end in sight: bounded all the same
            done, self._pending, self._may_end = [self._sentence(self._pending)], "", False
        return done

    def finish(self) -> Sentence | None:
        """The rest, spoken at the end of the reply (None when only whitespace is left)."""
        rest, self._pending, self._may_end = self._pending, "", False
        return Sentence(rest, 0.0) if rest.strip() else None

    def _complete(self) -> list[Sentence]:
        pending = self._pending
        # max_chars as long as the normalized text (NFKC may lengthen it: … -> ...): cut at
        # sentences only, never inside one.
        pieces = self._split(pending, max(1, len(unicodedata.normalize("NFKC", pending))))
        bounds = []
        for piece in pieces:
            assert piece.source is not None  # the splitter maps every piece back to its text
            bounds.append(piece.source.span())
        cuts = [start for start, _ in bounds[1:]]  # every piece but the last ends where the next starts
        if pieces:
            last_end = bounds[-1][1]
            if _ends_sentence(pieces[-1].text) or "\n" in pending[last_end:]:
                cuts.append(len(pending))
        done = []
        at = 0
        for cut in cuts:
            done.append(self._sentence(pending[at:cut]))
            at = cut
        self._pending = pending[at:]
        self._may_end = not _MAY_END.isdisjoint(unicodedata.normalize("NFKC", self._pending))
        return done

    @staticmethod
    def _sentence(text: str) -> Sentence:
        return Sentence(text, pause_after(text))


class SentencePlan:
    """How a streamed text's sentences are requested so that together they sound like the whole text.

    The whole text's plan cuts only its very first segment short (early audio) and puts, after
    every segment but the last, the pause its punctuation calls for. Each sentence here is a
    request of its own (its own slot, so streaming clients share the device fairly at sentence
    grain): the first one spoken is cut short as the whole text's first would be, the later ones
    are not (`first_cut`), and the pause owed after a sentence is played before the next one
    (`pause_before`), never after the last. Sentences are cut where the frontend cuts the whole
    text (SentenceBuffer), so numbers, polyphones and sandhi read as in the whole text.
    """

    def __init__(self) -> None:
        self._spoken = False
        self._owed = 0.0

    @property
    def first_cut(self) -> bool:
        """Whether the next request may cut its first segment short: only until one has spoken."""
        return not self._spoken

    def pause_before(self) -> float:
        """Seconds of silence owed before the next sentence's first audio (the last one's pause)."""
        return self._owed

    def spoken(self, sentence: Sentence, options: SynthesisOptions) -> None:
        """A sentence has been spoken with `options`: the pause its end calls for is owed."""
        self._spoken = True
        self._owed = pause_seconds(Segment(sentence.text, sentence.pause_after), resolve(options)[1])

    def reset(self) -> None:
        """A new reply begins: nothing owed, the next sentence is a first one."""
        self._spoken, self._owed = False, 0.0
