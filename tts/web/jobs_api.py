"""The jobs API: long texts and books as durable background jobs (docs/jobs.md).

    POST   /v1/jobs                   JSON with /v1/audio/speech's fields (input up to the profile's
                                      jobs.max_chars), or multipart with a .txt/.epub `file` -> 202
    GET    /v1/jobs                   the caller's jobs, newest first
    GET    /v1/jobs/{id}              status, progress, ETA, chapters, error
    GET    /v1/jobs/{id}/audio        the joined audio (response_format; m4b with chapter markers)
    GET    /v1/jobs/{id}/chapters/{n} chapter n (from 1) on its own
    GET    /v1/jobs/{id}/subtitles, /v1/jobs/{id}/chapters/{n}/subtitles   ?format=srt|vtt
    DELETE /v1/jobs/{id}              cancel and delete

A job belongs to the credentials that made it: with --auth, the logged-in user (Basic or Bearer
alike); without, the API key sent (OpenAI clients always send one), else "anonymous". Someone
else's job is answered 404, exactly like one that does not exist.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.datastructures import UploadFile

from tts.jobs.books import read_book
from tts.jobs.files import FORMATS
from tts.jobs.service import JobService
from tts.jobs.store import Job
from tts.options import RequestError
from tts.web.api import SpeechRequest, error_response, parse_body, to_request

MAX_FORM_FIELDS = 40


class JobRequest(SpeechRequest):
    """/v1/audio/speech's fields, plus a title; `input` may be a whole book."""

    title: str | None = None


def owner_of(request: Request, auth: tuple[str, str] | None) -> str:
    """Whose job this is (the Guard has already checked the credentials when auth is on)."""
    if auth:
        return "user:" + auth[0]
    header = request.headers.get("authorization")
    if header:
        return "key:" + hashlib.sha256(header.encode()).hexdigest()[:24]
    return "anonymous"


def current_jobs(request: Request) -> JobService:
    """The app's JobService (create_app keeps it on app.state): the routes' dependency."""
    return request.app.state.jobs


def current_owner(request: Request) -> str:
    """Whose jobs a request may see (owner_of with the app's login, kept on app.state)."""
    return owner_of(request, request.app.state.auth)


Jobs = Annotated[JobService, Depends(current_jobs)]
Owner = Annotated[str, Depends(current_owner)]
router = APIRouter()  # the jobs API's routes; create_app includes them over its JobService

_SUBMIT_SCHEMA = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": JobRequest.model_json_schema()},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": ".txt (UTF-8, GB18030, UTF-16) or .epub"},
        **{k: v for k, v in JobRequest.model_json_schema()["properties"].items() if k != "input"}}}}}}}


def _fail(exc: RequestError) -> JSONResponse:
    return error_response(exc.status, str(exc), exc.field)


async def _submission(request: Request, max_upload_mb: int) -> tuple[Any, UploadFile | None] | JSONResponse:
    """The body of a job submission: (its fields, the uploaded file or None), or an error response.
    JSON carries the text; multipart carries a .txt/.epub `file` and the other fields as parts."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        try:
            return await request.json(), None
        except ValueError:
            return error_response(400, "the request body must be JSON, or multipart with a file")
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        return error_response(411, "a file upload needs a Content-Length")
    if int(length) > max_upload_mb * 2**20 + 2**20:  # the form's other fields fit in the extra MB
        return error_response(413, f"the file is larger than {max_upload_mb} MB", "file")
    try:
        form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)
    except Exception:  # noqa: BLE001 - python-multipart's errors for a malformed body
        return error_response(400, "malformed multipart body")
    part = form.get("file")
    if part is None or isinstance(part, str):
        return error_response(400, "the multipart body needs a `file` part (.txt or .epub)", "file")
    payload: dict[str, Any] = {k: v for k, v in form.items() if k != "file"}
    payload["input"] = ""
    return payload, part


@router.post("/v1/jobs", status_code=202, openapi_extra=_SUBMIT_SCHEMA)
async def submit(request: Request, service: Jobs, owner: Owner) -> JSONResponse:
    limits = service.limits
    submitted = await _submission(request, limits.max_upload_mb)
    if isinstance(submitted, JSONResponse):
        return submitted
    payload, upload = submitted
    req = parse_body(JobRequest, payload)
    if isinstance(req, JSONResponse):
        return req
    if req.stream:
        return error_response(400, "a job is not streamed: fetch its audio when it is done", "stream")
    try:
        given = await anyio.to_thread.run_sync(to_request, req, FORMATS)
        book, source = None, {}
        if upload is not None:
            data = await upload.read(limits.max_upload_mb * 2**20 + 1)
            book = await anyio.to_thread.run_sync(read_book, data, upload.filename or "", limits.max_upload_mb * 2**20)
            source = {"file": upload.filename or "", "sha256": hashlib.sha256(data).hexdigest()}
        job = await anyio.to_thread.run_sync(
            lambda: service.submit(owner, given, req.response_format, book, req.title or "", source))
    except RequestError as exc:
        return _fail(exc)
    body = await anyio.to_thread.run_sync(service.describe, job)
    return JSONResponse(body, status_code=202, headers={"Location": f"/v1/jobs/{job.id}"})


@router.get("/v1/jobs")
def list_jobs(service: Jobs, owner: Owner) -> dict[str, Any]:
    return {"object": "list", "data": [service.describe(j, detail=False) for j in service.list(owner)]}


def _find(service: JobService, owner: str, job_id: str) -> Job:
    job = service.get(job_id, owner)
    if job is None:
        raise RequestError(f"no job {job_id!r}", "id", status=404)
    return job


def _file(service: JobService, owner: str, job_id: str, chapter: int | None = None,
          subtitles: str | None = None) -> Response:
    """One of a job's files (the joined audio, a chapter, subtitles), or the error response."""
    try:
        path, media_type, name = service.audio_file(_find(service, owner, job_id), chapter, subtitles=subtitles)
    except RequestError as exc:
        return _fail(exc)
    return FileResponse(path, media_type=media_type, filename=name)


@router.get("/v1/jobs/{job_id}")
def status(job_id: str, service: Jobs, owner: Owner) -> Any:
    try:
        return service.describe(_find(service, owner, job_id))
    except RequestError as exc:
        return _fail(exc)


@router.get("/v1/jobs/{job_id}/audio")
def audio(job_id: str, service: Jobs, owner: Owner) -> Response:
    return _file(service, owner, job_id)


@router.get("/v1/jobs/{job_id}/chapters/{number}")
def chapter(job_id: str, number: int, service: Jobs, owner: Owner) -> Response:
    return _file(service, owner, job_id, number)


@router.get("/v1/jobs/{job_id}/subtitles")
def subtitles(job_id: str, service: Jobs, owner: Owner, format: str = "srt") -> Response:  # noqa: A002 - the query's name
    return _file(service, owner, job_id, subtitles=format)


@router.get("/v1/jobs/{job_id}/chapters/{number}/subtitles")
def chapter_subtitles(job_id: str, number: int, service: Jobs, owner: Owner,
                      format: str = "srt") -> Response:  # noqa: A002
    return _file(service, owner, job_id, number, subtitles=format)


@router.delete("/v1/jobs/{job_id}")
def delete(job_id: str, service: Jobs, owner: Owner) -> Any:
    if not service.delete(job_id, owner):
        return error_response(404, f"no job {job_id!r}", "id")
    return {"id": job_id, "object": "job", "deleted": True}
