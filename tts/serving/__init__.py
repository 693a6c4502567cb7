"""Serving many callers on one machine: hardware profiles, admission, batching, cache, metrics,
native-memory housekeeping."""
