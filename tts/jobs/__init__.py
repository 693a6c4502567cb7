"""Durable long-form jobs: books and long texts spoken segment by segment, surviving restarts.

    store.py    the job store (SQLAlchemy Core: SQLite by default, PostgreSQL by URL), leases
    runner.py   worker threads claiming jobs and speaking them through the synthesizer
    files.py    segment files with checksums, the joined file (chapter markers) and chapter files
    books.py    .txt / .epub reading and chapter detection
    service.py  what the API, the web page and the CLI call: submit, describe, list, delete

The HTTP routes are tts/web/jobs_api.py; docs/jobs.md describes the whole.
"""
