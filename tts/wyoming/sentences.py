"""Text that arrives a few characters at a time (an LLM's reply) -> complete sentences, in order.

A voice assistant streams its reply as it is generated; waiting for the whole reply before
speaking would add the LLM's whole generation time to the silence. `SentenceBuffer` hands out
each sentence as soon as it is complete, so it can be spoken while the rest is still coming.

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

from tts.frontend import Segment
from tts.frontend.splitter import pause_after
from tts.frontend.textclasses import CLOSING, SENTENCE_END

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
        bounds = [piece.source.span() for piece in pieces if piece.source is not None]  # every split piece has one
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
