"""The Batch / audiobook tab: jobs submitted from the page, and the list of a browser's jobs.

The tab has its own controls (voice, emotion, instructions, speed, pitch, energy, intensity,
quality, a reference clip): nothing is taken from the Synthesize tab. A job is built by the
same request builder as every other request, and refusals come back as a status sentence.
"""

from __future__ import annotations

import html
from pathlib import Path

from tts.web.ui_handlers import form_input
from tts.web.ui_status import UserFacingError, error_message

STATUS_LABELS = {"queued": "排队中 queued", "running": "合成中 running", "done": "完成 done",
                 "failed": "失败 failed", "cancelled": "已取消 cancelled"}
MAX_BROWSER_JOBS = 50  # ids a browser keeps; older ones drop off its list (the jobs stay on the server)
EMPTY = '<div class="job-empty">还没有任务 · No jobs yet.</div>'


def ui_owner(request) -> str:
    """The jobs owner of a page user: the login's user (the same as the API's with those
    credentials), else "anonymous" (the same as an API caller without credentials)."""
    name = getattr(request, "username", None)
    return f"user:{name}" if name else "anonymous"


def submit_job(service, owner: str, ids: list | None, text: str, upload: str | None, fmt: str, voice: str,
               emotion: str, intensity: float, instructions: str, reference: str | None, speed: float, pitch: float,
               energy: float, quality: str) -> tuple[list, str]:
    """A new job from the tab's text (chapters at its 第X章 headings) or an uploaded .txt/.epub,
    and the tab's own controls. Returns the browser's job ids (newest first) and a note; a
    refusal is the note (the ids unchanged)."""
    from tts.jobs.books import read_book

    try:
        if upload and (text or "").strip():
            raise UserFacingError("请只提供文本或文件之一（清空文本框，或移除文件）· Give either text or a file, not both: "
                                  "clear the text box or remove the file.")
        given = form_input(text or "", voice, emotion, intensity, instructions, reference, speed, pitch, energy,
                           quality, pinyin="")
        book, source = None, {}
        if upload:
            path = Path(upload)
            if path.stat().st_size > service.limits.max_upload_mb * 2**20:
                raise UserFacingError(f"文件太大 · The file is larger than {service.limits.max_upload_mb} MB.")
            book = read_book(path.read_bytes(), path.name, service.limits.max_upload_mb * 2**20)
            source = {"file": path.name}
        elif not (text or "").strip():
            raise UserFacingError("请输入文本或上传文件 · Enter some text or upload a .txt/.epub file.")
        job = service.submit(owner, given, fmt, book, source=source)
    except Exception as exc:  # noqa: BLE001 - a refused job is a sentence, not a crash
        return list(ids or []), error_message(exc)
    ids = [job.id] + [i for i in (ids or []) if i != job.id]
    note = (f"已提交 · Submitted: **{html.escape(job.title)}** ({len(job.chapters)} 章 chapter(s)); "
            "进度在右侧，刷新页面或重启服务都不会丢失 · progress is on the right and survives a reload or a restart.")
    return ids[:MAX_BROWSER_JOBS], note


def jobs_html(service, owner: str, ids: list | None) -> tuple[str, list[tuple[str, str]]]:
    """The browser's jobs as an HTML list (progress bars, a player and downloads for finished
    ones, errors) and (title, id) choices for the cancel box; ids that are gone are left out."""
    rows, choices = [], []
    for job_id in ids or []:
        job = service.get(str(job_id), owner)
        if job is None:
            continue
        body = service.describe(job, detail=False)
        done, total = body["progress"]["done"], body["progress"]["total"]
        percent = 100.0 * done / total if total else 0.0
        minutes = body["progress"]["audio_seconds"] / 60
        title = html.escape(job.title or job.id)
        parts = [f'<div class="job" data-job-id="{job.id}" data-status="{job.status}">',
                 f'<b>{title}</b> · <span class="job-status">{STATUS_LABELS.get(job.status, job.status)}</span>',
                 f'<br><progress max="100" value="{percent:.1f}"></progress> '
                 f'<span class="job-progress">{done}/{total or "?"}</span> · {minutes:.1f} min']
        if body["eta_seconds"] and job.status == "running":
            parts.append(f" · 约 about {body['eta_seconds'] / 60:.0f} min left")
        if job.status == "done":
            # The joined file plays in the page (the browser fetches it only when played).
            parts.append(f'<br><audio class="job-player" controls preload="none" src="{body["audio_url"]}"></audio>')
            links = [f'<a class="job-audio" href="{body["audio_url"]}" download>'
                     f'全部 All ({job.response_format})</a>']
            links += [f'<a class="job-chapter" href="{c["url"]}" download>{c["index"]}. {html.escape(c["title"])}</a>'
                      for c in body["chapters"] if "url" in c]
            links += [f'<a class="job-subtitles" href="{url}" download>字幕 Subtitles ({fmt.upper()})</a>'
                      for fmt, url in body["subtitles"].items()]
            parts.append("<br>下载 Download: " + " · ".join(links))
        if job.error:
            parts.append(f'<br><span class="job-error">{html.escape(job.error)}</span>')
        parts.append("</div>")
        rows.append("".join(parts))
        choices.append((f"{job.title or job.id} ({STATUS_LABELS.get(job.status, job.status)})", job.id))
    if not rows:
        return EMPTY, []
    return "<hr>".join(rows), choices


def cancel_job(service, owner: str, job_id: str | None, ids: list | None) -> tuple[list, str]:
    """Cancel and delete a job of this browser; returns its ids and a note."""
    if not job_id:
        return list(ids or []), "出错 Failed: 请先选择任务 · Choose a job first."
    try:
        service.delete(job_id, owner)
    except Exception as exc:  # noqa: BLE001
        return list(ids or []), error_message(exc)
    return [i for i in (ids or []) if i != job_id], "已取消并删除 · Cancelled and deleted."
