"""The Batch / audiobook tab: jobs submitted from the page, and the list of a browser's jobs.

The tab has its own controls (voice, emotion, instructions, speed, pitch, energy, intensity,
quality, a reference clip): nothing is taken from the Synthesize tab. A job is built by the
same request builder as every other request, and refusals come back as a status sentence.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

from tts.web.ui_handlers import form_input
from tts.web.ui_status import UserFacingError, as_text, error_message

STATUS_LABELS = {"queued": "排队中 queued", "running": "合成中 running", "done": "完成 done",
                 "failed": "失败 failed", "cancelled": "已取消 cancelled"}
MAX_BROWSER_JOBS = 50  # ids a browser keeps; older ones drop off its list (the jobs stay on the server)
EMPTY = '<div class="job-empty">还没有任务 · No jobs yet.</div>'
# The share of a run's text done before its pace is trusted for an estimate: the first segment
# also pays for waiting for a slot and warming up, which made early estimates minutes too long.
ETA_AFTER = 0.1
NOT_DELETED = "未删除 · Not deleted."


def ui_owner(request) -> str:
    """The jobs owner of a page user: the login's user (the same as the API's with those
    credentials), else "anonymous" (the same as an API caller without credentials)."""
    name = getattr(request, "username", None)
    return f"user:{name}" if name else "anonymous"


def submit_job(service, owner: str, ids: list | None, text: str, upload: str | None, fmt: str, voice: str,
               emotion: str, intensity: float, instructions: str, reference: str | None, speed: float, pitch: float,
               energy: float, quality: str, title: str = "") -> tuple[list, str]:
    """A new job from the tab's text (chapters at its 第X章 headings) or an uploaded .txt/.epub,
    and the tab's own controls. Returns the browser's job ids (newest first) and a note; a
    refusal is the note (the ids unchanged).

    The job's title names the whole book's download: the given `title`, else the file's (its
    name, an EPUB's own title); a pasted text of several chapters is an "audiobook" with the
    time, not its first chapter's heading."""
    from tts.jobs.books import book_from_text, read_book

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
        title = (title or "").strip()
        if not title and book is None and len(book_from_text(text, "").chapters) > 1:
            title = f"有声书 audiobook {time.strftime('%Y-%m-%d %H%M')}"
        job = service.submit(owner, given, fmt, book, title=title, source=source)
    except Exception as exc:  # noqa: BLE001 - a refused job is a sentence, not a crash
        return list(ids or []), error_message(exc)
    ids = [job.id] + [i for i in (ids or []) if i != job.id]
    note = (f"已提交 · Submitted: **{as_text(job.title)}** ({len(job.chapters)} 章 chapter(s)); "
            "进度见任务列表，刷新页面或重启服务都不会丢失 · its progress is in the job list and survives a reload or a "
            "restart.")
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
        label = job_label(job)
        parts = [f'<div class="job" data-job-id="{job.id}" data-status="{job.status}">',
                 f'<b>{title}</b> · <span class="job-when">{html.escape(label)}</span> · '
                 f'<span class="job-status">{STATUS_LABELS.get(job.status, job.status)}</span>',
                 f'<br><progress max="100" value="{percent:.1f}" aria-label="{title} 进度 progress"></progress> '
                 f'<span class="job-progress">{done}/{total or "?"}</span> · {minutes:.1f} min']
        if job.status == "running":
            parts.append(f' · <span class="job-eta">{eta_words(job, body["eta_seconds"])}</span>')
        if job.status == "done":
            # The joined file plays in the page (the browser fetches it only when played).
            parts.append(f'<br><audio class="job-player" controls preload="none" src="{body["audio_url"]}" '
                         f'aria-label="播放 Play {title}"></audio>')
            links = [f'<a class="job-audio" href="{body["audio_url"]}" download '
                     f'aria-label="下载整本 Download the whole book: {title} ({job.response_format})">'
                     f'整本 Whole book ({job.response_format})</a>']
            links += [f'<a class="job-chapter" href="{c["url"]}" download aria-label="下载第 {c["index"]} 章 Download '
                      f'chapter {c["index"]}: {html.escape(c["title"])}">{c["index"]}. {html.escape(c["title"])}</a>'
                      for c in body["chapters"] if "url" in c]
            links += [f'<a class="job-subtitles" href="{url}" download aria-label="下载字幕 Download the subtitles '
                      f'of {title} ({fmt.upper()})">字幕 Subtitles ({fmt.upper()})</a>'
                      for fmt, url in body["subtitles"].items()]
            parts.append("<br>下载 Download: " + " · ".join(links))
        if job.error:
            parts.append(f'<br><span class="job-error">{html.escape(job.error)}</span>')
        parts.append("</div>")
        rows.append("".join(parts))
        choices.append((f"{job.title or job.id} · {label} ({STATUS_LABELS.get(job.status, job.status)})", job.id))
    if not rows:
        return EMPTY, []
    return "<hr>".join(rows), choices


def job_label(job) -> str:
    """What tells two jobs of one title apart: when it was submitted and how long it is."""
    return f"{time.strftime('%m-%d %H:%M:%S', time.localtime(job.created_at))} · {job.total_chars} 字 chars"


def eta_words(job, eta_seconds: float | None) -> str:
    """Time left from the pace measured in this run, once enough of it is done to trust it."""
    measured = job.done_chars - job.attempt_done_chars
    if eta_seconds is None or measured < ETA_AFTER * max(1, job.total_chars - job.attempt_done_chars):
        return "估算剩余时间… estimating the time left…"
    if eta_seconds < 60:
        return f"约剩 {eta_seconds:.0f} 秒 · about {eta_seconds:.0f} s left"
    return f"约剩 {eta_seconds / 60:.0f} 分钟 · about {eta_seconds / 60:.0f} min left"


def cancel_job(service, owner: str, job_id: str | None, ids: list | None) -> tuple[list, str]:
    """Cancel and delete a job of this browser; returns its ids and a note."""
    if not job_id:
        return list(ids or []), "出错 Failed: 请先选择任务 · Choose a job first."
    try:
        service.delete(job_id, owner)
    except Exception as exc:  # noqa: BLE001
        return list(ids or []), error_message(exc)
    return [i for i in (ids or []) if i != job_id], "已取消并删除 · Cancelled and deleted."
