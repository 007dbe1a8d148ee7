"""Files to download from the statistics page: the 台账 (xlsx) and the reports (docx) of recent periods.

Made by the project's own exporters through their public functions
(``export.ledger`` + ``render.xlsx.workbook``; ``reports.monthly/annual`` +
``render.docx.build``), from the published records only. Each costs a few
hundred milliseconds per thousand records, so only the periods a monthly
briefing needs are offered: the last complete month (台账 and 月度评估),
this year so far (台账), and the last complete year (台账 and 年度自查报告).
Every file is scanned by the leak guard like any other (it unpacks them).
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Sequence

from ..model import Deadline, Incident
from .model import GENERATED

log = logging.getLogger("yuqing.site")
FOLDER = f"{GENERATED}/downloads"


@dataclass(frozen=True)
class Download:
    path: str
    """Under docs/ (the site copies it as it is)."""
    label: str
    period: str
    data: bytes


_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def _saved(document: Any, now: datetime) -> bytes:
    """The file's bytes, the same for the same records and ``now`` (so `site render` rewrites nothing):
    the save-time stamps openpyxl and python-docx write, and the zip's member times, are fixed."""
    buffer = io.BytesIO()
    document.save(buffer)
    stamp = now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _STAMP.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def downloads(register: Any, published: Sequence[Incident], deadlines: Sequence[Deadline],
              now: datetime, notes: list[str]) -> tuple[Download, ...]:
    """The files, or none (with a note) when an exporter is missing or fails."""
    try:
        from .. import export
        from ..render import docx as render_docx
        from ..render.xlsx import workbook
        from ..reports import annual, default, monthly, snapshot
        from ..times import zone
    except ImportError:
        notes.append("导出模块未安装,统计页不提供台账和报告下载。")
        return ()
    tz = zone(register.config.timezone)
    local = now.astimezone(tz)
    month = default("monthly", local)
    year = default("annual", local)
    this_year = datetime(local.year, 1, 1, tzinfo=tz)
    out: list[Download] = []
    try:
        public = replace(register, incidents=tuple(published))
        snap = snapshot(public, now, include_confidential=False, deadlines=list(deadlines))
        organization = register.config.organization

        def ledger(since: datetime, until: datetime) -> bytes:
            book = export.ledger(published, deadlines, now, since=since, until=until, organization=organization)
            return _saved(workbook(book, tz), now)

        out.append(Download(f"{FOLDER}/ledger-{month.label}.xlsx", "台账(Excel)", month.name,
                            ledger(month.start, month.end)))
        out.append(Download(f"{FOLDER}/report-{month.label}.docx", "月度评估(Word)", month.name,
                            _saved(render_docx.build(monthly(public, month, now, snap=snap)), now)))
        out.append(Download(f"{FOLDER}/ledger-{local.year}.xlsx", "台账(Excel)", f"{local.year}年(截至生成时)",
                            ledger(this_year, now)))
        out.append(Download(f"{FOLDER}/ledger-{year.label}.xlsx", "台账(Excel)", year.name,
                            ledger(year.start, year.end)))
        out.append(Download(f"{FOLDER}/report-{year.label}.docx", "年度自查报告(Word)", year.name,
                            _saved(render_docx.build(annual(public, year, now, snap=snap)), now)))
    except Exception as error:  # another module's bug must not take the archive down
        log.warning("生成下载文件失败:%s", error)
        notes.append("台账和报告的下载文件生成失败。")
        return ()
    return tuple(out)
