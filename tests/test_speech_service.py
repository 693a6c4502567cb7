"""Both synthesizers the page, the jobs and the Wyoming server run on implement SpeechService
(tts/speech_service.py): the local Synthesizer and the cluster's RemoteSynthesizer, as real
objects over the tiny voice (the remote one through SpeechAPI's own methods, without Ray's
transport). mypy checks the same statically (tts/apps/cluster.py)."""

from __future__ import annotations

import inspect
import types

import numpy as np
import pytest

from tts.options import SynthesisOptions
from tts.speech_service import SpeechService, SpeechStream, drain


def _members(protocol: type) -> dict[str, object]:
    return {name: value for name, value in vars(protocol).items()
            if not name.startswith("_") or name in ("__iter__", "__next__", "__enter__", "__exit__")
            if callable(value) or isinstance(value, property)}


def _conforms(obj: object, protocol: type) -> list[str]:
    """What `obj` lacks of `protocol`: a missing member, or a method that cannot be called the way
    the protocol says it is (its parameters do not bind)."""
    wrong = []
    for name, member in _members(protocol).items():
        if isinstance(member, property):
            if not hasattr(obj, name):
                wrong.append(f"no {name}")
            continue
        method = getattr(obj, name, None)
        if method is None or not callable(method):
            wrong.append(f"no method {name}")
            continue
        wanted = list(inspect.signature(member).parameters.values())[1:]  # without self
        args = [object() for p in wanted if p.kind is p.POSITIONAL_OR_KEYWORD]
        star = any(p.kind is p.VAR_POSITIONAL for p in wanted)
        try:
            inspect.signature(method).bind(*args, *(() if not star else (object(),)))
            for p in wanted:  # every parameter the protocol names can also be passed by name
                if p.kind is p.POSITIONAL_OR_KEYWORD:
                    inspect.signature(method).bind(*args[:wanted.index(p)], **{p.name: object()})
        except TypeError as exc:
            wrong.append(f"{name}{inspect.signature(method)}: {exc}")
    return wrong


def test_the_checker_notices_a_missing_member_and_a_wrong_signature(tiny_synth):
    class Partial:
        profile = tiny_synth.profile
        sample_rate = hop_size = 1
        vocoder_device = "cpu"

        def plan(self, options):  # no long_form, no max_chars
            return None

    wrong = _conforms(Partial(), SpeechService)
    assert any(w.startswith("plan(") for w in wrong) and "no method stream" in wrong


def test_the_local_synthesizer_is_a_speech_service(tiny_synth):
    assert isinstance(tiny_synth, SpeechService)
    assert _conforms(tiny_synth, SpeechService) == []
    options = SynthesisOptions("今天天气很好。")
    with tiny_synth.stream(options, use_cache=False) as stream:
        assert isinstance(stream, SpeechStream) and _conforms(stream, SpeechStream) == []
        chunks = [chunk.audio for chunk in stream]
    assert np.array_equal(np.concatenate(chunks), stream.result.audio)
    assert tiny_synth.hop_size * tiny_synth.sample_rate > 0 and tiny_synth.vocoder_device == "cpu"
    planned = tiny_synth.plan(options).segments[0]
    assert tiny_synth.prepare_segment(planned).utterance.syllables


def test_the_remote_synthesizer_is_a_speech_service(tiny_synth):
    pytest.importorskip("ray.serve")
    from test_cluster import LocalHandle

    from tts.apps.cluster import RemoteSynthesizer

    remote = RemoteSynthesizer(LocalHandle(types.SimpleNamespace(synth=tiny_synth)), tiny_synth.profile)
    assert isinstance(remote, SpeechService)
    assert _conforms(remote, SpeechService) == []
    assert (remote.sample_rate, remote.hop_size, remote.vocoder_device) == \
        (tiny_synth.sample_rate, tiny_synth.hop_size, tiny_synth.vocoder_device)
    options = SynthesisOptions("今天天气很好。")
    stream = remote.stream(options)
    assert isinstance(stream, SpeechStream) and _conforms(stream, SpeechStream) == []
    result = drain(stream)
    assert np.array_equal(result.audio, tiny_synth.synthesize(options, use_cache=False).audio)
    planned = remote.plan(options, long_form=True).segments[0]
    assert remote.prepare_segment(planned).utterance.syllables == \
        tiny_synth.prepare_segment(planned).utterance.syllables
    assert remote.validate(options, max_chars=100).text == options.text


def test_drain_refuses_a_stream_that_ends_without_a_result():
    class Empty:
        notes = ()
        result = None

        def __iter__(self):
            return self

        def __next__(self):
            raise StopIteration

        def close(self):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.close()

    with pytest.raises(RuntimeError, match="without a result"):
        drain(Empty())
