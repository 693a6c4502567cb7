"""Service metrics in a private prometheus_client registry that the web layer serves at /metrics."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
RTF_BUCKETS = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5)


class Metrics:
    """Counters, gauges and histograms of one Synthesizer."""

    def __init__(self, queue_depth: Callable[[], float], active: Callable[[], float],
                 device_memory: Callable[[], dict[str, float]]):
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("tts_requests", "Synthesis requests by outcome", ["status"], registry=r)
        self.errors = Counter("tts_errors", "Failed requests by kind of failure", ["kind"], registry=r)
        self.fallbacks = Counter("tts_fallbacks", "Degraded retries (OOM -> smaller chunks / CPU)", ["kind"],
                                 registry=r)
        self.cache_hits = Counter("tts_cache_hits", "Requests answered from the audio cache", registry=r)
        self.cache_misses = Counter("tts_cache_misses", "Requests not in the audio cache", registry=r)
        self.audio_seconds = Counter("tts_audio_seconds", "Seconds of audio produced", registry=r)
        self.first_chunk = Histogram("tts_first_chunk_seconds", "Request start to first audio chunk",
                                     buckets=LATENCY_BUCKETS, registry=r)
        self.total = Histogram("tts_request_seconds", "Request start to last audio chunk",
                               buckets=LATENCY_BUCKETS, registry=r)
        self.queue_wait = Histogram("tts_queue_wait_seconds", "Time a request waited for a synthesis slot",
                                    buckets=LATENCY_BUCKETS, registry=r)
        self.rtf = Histogram("tts_real_time_factor", "Synthesis time / audio duration per request",
                             buckets=RTF_BUCKETS, registry=r)
        self.batch_size = Histogram("tts_batch_size", "Items per batched model call", ["kind"],
                                    buckets=(1, 2, 4, 8, 16, 32, 64, 128), registry=r)
        Gauge("tts_queue_depth", "Requests waiting for a synthesis slot", registry=r).set_function(queue_depth)
        Gauge("tts_active_requests", "Requests being synthesized", registry=r).set_function(active)
        memory = Gauge("tts_device_memory_bytes", "Memory in use per device (CUDA allocated / process RSS)",
                       ["device"], registry=r)
        self._memory_gauge = memory
        self._device_memory = device_memory

    def refresh_memory(self) -> None:
        for device, value in self._device_memory().items():
            self._memory_gauge.labels(device=device).set(value)

    def render(self) -> bytes:
        from prometheus_client import generate_latest

        self.refresh_memory()
        return generate_latest(self.registry)
