"""Realistic synthetic registers, for benchmarks and scale tests.

``python -m yuqing.synthetic --count N --seed S --out DIR`` writes a complete
register (the project's register.yml and schemas/, incidents/<year>/<id>.yml)
whose N incidents follow SPEC section 2 and pass `yuqing check` at any moment
after :data:`END`. The mix is what a province that aggregates its cities
registers: mostly 一般, few 特别重大; escalations and de-escalations; appeals
with replies (some late, some extended); reviews where required; a few
withdrawn duplicates and confidential records; 2022-2026, the years with a
confirmed holiday calendar. The same seed gives byte-identical files.

``--history`` also builds the git history of the register: several commits per
incident (registered, updated, closed), in time order, with pinned authors
and dates, streamed through ONE ``git fast-import`` process.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

PROJECT = Path(__file__).resolve().parents[2]
TZ = timezone(timedelta(hours=8))
START = datetime(2022, 1, 1, tzinfo=TZ)
END = datetime(2026, 10, 31, 18, 0, tzinfo=TZ)
"""No generated time is later than this (so the register is valid from then on)."""

_LEVEL_WEIGHTS = (("一般", 72), ("敏感", 19), ("重大", 7), ("特别重大", 2))
_RANK = {"一般": 0, "敏感": 1, "重大": 2, "特别重大": 3}
_CATEGORIES = {
    # category: (weight, lead unit, subjects)
    "食品安全": (30, "食品经营安全监管科", ("超市销售过期食品", "餐馆后厨卫生脏乱", "学校食堂食材变质", "外卖商家无证经营",
                                         "网红奶茶店使用过期原料", "农贸市场猪肉注水")),
    "药品安全": (8, "药品安全监管科", ("药店无药师在岗销售处方药", "诊所使用过期疫苗", "网店销售假冒医疗器械", "保健品宣称治病")),
    "产品质量": (9, "产品质量安全监督管理科", ("电动自行车电池起火", "儿童玩具含有害物质", "燃气灶具爆裂", "劣质建材流入小区")),
    "特种设备": (6, "特种设备安全监察科", ("小区电梯频繁困人", "商场扶梯夹伤儿童", "游乐设施突然停运", "锅炉房压力容器泄漏")),
    "价格监管": (10, "价格监督检查和反不正当竞争科", ("景区商户天价收费", "节日期间蔬菜价格暴涨", "停车场乱收费", "酒店临时加价")),
    "消费维权": (20, "消费者权益保护科", ("健身房老板卷款跑路", "预付卡无法退费", "直播带货商品货不对板", "装修公司拖延工期")),
    "广告监管": (5, "广告监督管理科", ("户外广告含虚假宣传", "医美机构夸大宣传", "网课广告承诺包过")),
    "知识产权": (3, "执法稽查局", ("商场销售假冒名牌服装", "网店盗用商标图片")),
    "执法作风": (5, "执法稽查局", ("执法人员态度粗暴被拍视频", "商户称遭遇选择性执法", "投诉举报长期无人处理")),
    "其他": (4, "综合应急和新闻宣传科", ("网传市场监管部门招聘信息不实", "冒充执法人员上门收费")),
}
_DISTRICTS = ("东城区", "西城区", "南山县", "北湖县")
_DISTRICT_UNITS = ("东城区局", "西城区局", "南山县局", "北湖县局")
_PLACES = ("人民路", "解放大道", "滨江路", "新华街", "建设路", "中山路", "青年路", "火车站附近", "万达广场", "老城区")
_CHANNELS = (("社交媒体", 38, ("微博", "抖音", "微信朋友圈", "小红书", "快手")),
             ("网络媒体", 20, ("本地论坛", "今日头条", "澎湃新闻", "网易新闻")),
             ("自媒体", 12, ("微信公众号", "B站", "视频号")),
             ("上级转办", 12, ("市委网信办", "省市场监管局", "12345 热线")),
             ("群众来电", 10, ("12315 热线", "12345 热线")),
             ("报刊杂志", 4, ("晚报", "日报")),
             ("电视广播", 3, ("市电视台", "交通广播")),
             ("其他", 1, ("信访",)))
_TAGS = ("校园", "集体用餐", "直播带货", "预付卡", "节假日", "老年人", "儿童", "外卖", "电梯", "景区", "医美", "网红店")
_NICKS = ("湖畔晨跑者", "老城居民", "小区业主代表", "吃货小王", "宝妈日记", "热心市民", "路过的网友", "城南老张")
_SUMMARY_PARTS = (
    "网民发帖称{place}一带{subject},并配有现场照片和视频,要求有关部门尽快调查处理。",
    "帖文发布后短时间内被多个本地生活类账号转发,评论区有网民称曾遇到类似情况。",
    "部分网民质疑监管部门日常检查流于形式,要求公开处理结果。",
    "截至发现时,相关话题阅读量已超过{reads}万次,转发{shares}余次。",
    "涉事经营者在评论区回应称系个别员工操作失误,引发网民进一步不满。",
    "有媒体记者已联系本局了解情况,拟作跟进报道。",
    "帖文所述情况与此前{district}群众来电反映的问题相似,需一并核查。",
    "网民情绪总体较为激动,出现少量不实信息和过激言论,需关注舆情走势。",
)
_NOTES = {
    "预警": ("监测系统发现相关帖文,阅读量增长较快", "值班人员巡查发现,已截图留存"),
    "研判": ("组织研判,认为事实尚待核实,需尽快现场核查", "分管局领导组织研判会议,明确处置分工和口径",
             "研判认为网民关注度较高,存在进一步发酵的可能"),
    "定级": ("根据传播范围和关注程度定级", "涉及群众切身利益,按规定定级"),
    "升级": ("多家媒体转载,传播范围扩大,升级处置", "出现聚集苗头,关注度持续上升,升级处置"),
    "降级": ("经核实影响范围有限,关注度明显下降,降级处置",),
    "转办": ("转责任科室和属地区县局核查处置", "转属地市场监管局现场核查,要求当日反馈"),
    "上报": ("向市委网信办和省局报告舆情及初步处置情况", "书面报告舆情概况、初步研判和下一步措施"),
    "续报": ("续报现场核查进展和抽检安排", "续报调查处理进展"),
    "核报": ("按上级要求核报有关情况",),
    "初步回应": ("在原帖下回复:已受理,正在核查", "电话联系发帖人,告知已安排执法人员核查"),
    "答复": ("答复发帖人核查结果和处理意见", "在平台回复处理结果,发帖人表示满意"),
    "发布权威信息": ("通过官方微博发布情况通报,说明核查进展和处理措施", "发布情况通报,公布抽检结果和立案情况"),
    "新闻发布会": ("召开新闻发布会,通报调查处理情况并回答记者提问",),
    "媒体采访": ("接受本地媒体采访,介绍调查处置情况", "接受电视台采访,说明监管措施"),
    "网评引导": ("组织发布正面解读信息,回应网民关切",),
    "线下处置": ("执法人员现场检查,责令整改并立案调查", "现场封存涉事商品,抽样送检", "约谈涉事经营者,督促退费赔偿"),
    "平息": ("相关话题热度明显回落,未再出现新的关注点", "舆情平息,转入常态监测"),
    "评估总结": ("完成评估总结",),
    "归档": ("处置完毕,资料归档",),
}
_STAFF = (("张伟", "zhangwei"), ("李娜", "lina"), ("王芳", "wangfang"), ("刘洋", "liuyang"), ("陈静", "chenjing"))


@dataclass
class _Event:
    at: datetime
    type: str
    by: str
    level: str | None = None
    note: str | None = None
    channel: str | None = None


@dataclass
class _Record:
    id: str
    title: str
    category: str
    lead: str
    assisting: list[str]
    channel: str
    platform: str
    url: str
    summary: str
    discovered: datetime
    occurred: datetime | None
    events: list[_Event]
    appeal: tuple[datetime, str] | None = None
    tags: list[str] = field(default_factory=list)
    review: dict[str, str] | None = None
    review_at: datetime | None = None
    extension: tuple[datetime, datetime] | None = None  # approved_at, due
    confidential: bool = False
    withdrawn: tuple[datetime, str | None] | None = None  # at, duplicate_of
    closed: str = "处置中"  # the status the record reaches in the end

    def snapshot(self, cutoff: datetime) -> str:
        """The file as it stood at ``cutoff`` (its final form when cutoff >= END)."""
        events = [e for e in self.events if e.at <= cutoff]
        types = {e.type for e in events}
        if "归档" in types:
            status = "已归档"
        elif "平息" in types:
            status = "已平息"
        elif len(events) > 2:
            status = "处置中"
        else:
            status = "监测中"
        grading = [e for e in self.events if e.level]
        shown = [e for e in events if e.level]
        level = shown[-1].level if shown else (grading[0].level if grading else None)
        return _render(self, events, level or "一般", status, cutoff)


def _plain(text: str) -> str:
    # Our pools hold plain Chinese text; anything else is double-quoted
    # (a JSON string is a valid YAML double-quoted scalar).
    if re.fullmatch(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef0-9A-Za-z“”、,。:;!?()《》 .-]+", text) \
            and not text[0] in "-?:,[]{}#&*!|>'\"%@`" and ": " not in text and " #" not in text:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _t(value: datetime) -> str:
    return '"' + value.isoformat() + '"'


def _render(r: _Record, events: list[_Event], level: str, status: str, cutoff: datetime) -> str:
    out = ["# yaml-language-server: $schema=../../schemas/incident.schema.json",
           f"id: {r.id}", f"title: {_plain(r.title)}", f"level: {level}", f"status: {status}",
           f"category: {r.category}"]
    if r.occurred:
        out.append(f"occurred_at: {_t(r.occurred)}")
    out.append(f"discovered_at: {_t(r.discovered)}")
    out += ["source:", f"  channel: {r.channel}", f"  platform: {_plain(r.platform)}", f"  url: {r.url}"]
    out += ["units:", f"  lead: {r.lead}"]
    if r.assisting:
        out.append("  assisting:")
        out += [f"    - {u}" for u in r.assisting]
    out += ["summary: |", *("  " + line for line in r.summary.split("\n"))]
    if r.appeal:
        out += ["appeal:", f"  posted_at: {_t(r.appeal[0])}", f"  author: {_plain(r.appeal[1])}"]
    if r.tags:
        out.append("tags:")
        out += [f"  - {t}" for t in r.tags]
    out.append("timeline:")
    for e in events:
        out += [f"  - at: {_t(e.at)}", f"    type: {e.type}"]
        if e.level:
            out.append(f"    level: {e.level}")
        out.append(f"    by: {e.by}")
        if e.channel:
            out.append(f"    channel: {_plain(e.channel)}")
        if e.note:
            out.append(f"    note: {_plain(e.note)}")
    if r.extension and r.extension[0] <= cutoff:
        approved, due = r.extension
        out += ["extensions:", "  - rule: reply-3wd", "    reason: 涉及多个部门联合核查,需调取近三个月交易记录,确需延长答复期限",
                "    approved_by: 分管局领导", f"    approved_at: {_t(approved)}", f"    due: {_t(due)}"]
    if r.review and r.review_at and r.review_at <= cutoff:
        out.append("review:")
        out += [f"  {key}: {_plain(value)}" for key, value in r.review.items()]
        out.append(f"  completed_at: {_t(r.review_at)}")
    if r.confidential:
        out.append("confidential: true")
    if r.withdrawn and r.withdrawn[0] <= cutoff:
        out += ["withdrawn:", f"  at: {_t(r.withdrawn[0])}", "  reason: 重复登记,与已有事件为同一舆情"]
        if r.withdrawn[1]:
            out.append(f"  duplicate_of: {r.withdrawn[1]}")
    return "\n".join(out) + "\n"


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]


def _minutes(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(minutes=rng.randint(low, high))


def _note(rng: random.Random, kind: str) -> str:
    return rng.choice(_NOTES[kind])


def _incident(rng: random.Random, incident_id: str, discovered: datetime) -> _Record:
    categories = tuple((name, spec[0]) for name, spec in _CATEGORIES.items())
    category = _pick(rng, categories)
    _, lead, subjects = _CATEGORIES[category]
    subject = rng.choice(subjects)
    district_index = rng.randrange(len(_DISTRICTS))
    district, place = _DISTRICTS[district_index], rng.choice(_PLACES)
    channel_row = rng.choices(_CHANNELS, [c[1] for c in _CHANNELS])[0]
    channel, platform = channel_row[0], rng.choice(channel_row[2])
    level = _pick(rng, _LEVEL_WEIGHTS)
    title = f"网民反映{district}{place}{subject}"
    parts = [_SUMMARY_PARTS[0]] + rng.sample(_SUMMARY_PARTS[1:], rng.randint(2, 5))
    summary = "".join(parts).format(place=district + place, subject=subject, district=district,
                                    reads=rng.randint(1, 300), shares=rng.randint(50, 5000))
    occurred = discovered - _minutes(rng, 5, 360) if rng.random() < 0.8 else None
    assisting = [_DISTRICT_UNITS[district_index]] if rng.random() < 0.7 else []
    if level != "一般" and rng.random() < 0.5:
        assisting.append("综合应急和新闻宣传科")
    appeal = None
    if rng.random() < (0.5 if category in ("消费维权", "价格监管") else 0.25):
        appeal = ((occurred or discovered) - _minutes(rng, 0, 30), rng.choice(_NICKS))

    events: list[_Event] = []
    t = discovered

    def add(kind: str, after: timedelta, by: str, **extra: str | None) -> None:
        nonlocal t
        t = t + after
        events.append(_Event(t, kind, by, note=extra.get("note", _note(rng, kind)), level=extra.get("level"),
                             channel=extra.get("channel")))

    add("预警", _minutes(rng, 0, 10), "信息中心")
    add("研判", _minutes(rng, 10, 60), "综合应急和新闻宣传科")
    start_level = level
    if level != "一般" and rng.random() < 0.35:
        start_level = ("一般", "敏感", "重大")[_RANK[level] - 1]
    graded = level != "一般" or rng.random() < 0.5
    deescalate = level == "一般" and graded and rng.random() < 0.15
    if deescalate:
        start_level = "敏感"
    if graded:
        add("定级", _minutes(rng, 5, 40), "综合应急和新闻宣传科", level=start_level)
    add("转办", _minutes(rng, 5, 30), "综合应急和新闻宣传科")
    if appeal:
        add("初步回应", _minutes(rng, 20, 150), lead, channel=f"{platform}回帖")
    if _RANK[start_level] >= 1:
        late = rng.random() < 0.05
        add("上报", _minutes(rng, 30, 300 if late else 100), "综合应急和新闻宣传科")
    add("线下处置", _minutes(rng, 30, 240), _DISTRICT_UNITS[district_index] if assisting else lead)
    if start_level != level and not deescalate:
        add("升级", _minutes(rng, 60, 600), "综合应急和新闻宣传科", level=level)
        add("续报", _minutes(rng, 10, 60 if level == "特别重大" else 180), "综合应急和新闻宣传科")
    if deescalate:
        add("降级", _minutes(rng, 120, 1440), "综合应急和新闻宣传科", level="一般")
    if level == "特别重大":
        add("发布权威信息", _minutes(rng, 30, 200), "综合应急和新闻宣传科", channel="官方微博")
        add("新闻发布会", _minutes(rng, 300, 1200), "综合应急和新闻宣传科")
        add("续报", _minutes(rng, 60, 600), "综合应急和新闻宣传科")
    elif level == "重大":
        add(rng.choice(("发布权威信息", "媒体采访")), _minutes(rng, 120, 2400), "综合应急和新闻宣传科")
    elif level == "敏感" and rng.random() < 0.4:
        add("网评引导", _minutes(rng, 60, 600), "综合应急和新闻宣传科")
    extension = None
    if appeal:
        days = rng.choice((1, 1, 2, 2, 3, 3, 4, 6))
        if days >= 4 and rng.random() < 0.6:
            approved = t + _minutes(rng, 60, 600)
            due = appeal[0].replace(hour=17, minute=30, second=0) + timedelta(days=8)
            extension = (approved, due)
            t = approved
        add("答复", timedelta(days=days) + _minutes(rng, 0, 120), lead, channel=platform)
    add("平息", timedelta(days=rng.randint(1, 10)), "综合应急和新闻宣传科")
    review = review_at = None
    if _RANK[level] >= 2 or (level == "敏感" and rng.random() < 0.2):
        add("评估总结", timedelta(days=rng.randint(3, 15)), lead)
        review_at = t
        review = {
            "cause": f"{subject}暴露出经营者主体责任落实不到位,日常监管存在薄弱环节",
            "nature": "经核查反映情况基本属实,属于" + category + "领域的" + level + "舆情",
            "impact": "引发较多网民关注和媒体转载,对部门形象造成一定负面影响,经及时处置未造成次生舆情",
            "responsibility": "涉事经营者已立案查处,属地监管所日常检查不到位,已约谈提醒",
            "lessons": "应快报事实、慎报原因,第一时间发布权威信息;加强同类问题专项检查和舆情监测",
        }
    add("归档", timedelta(days=rng.randint(1, 20)), "综合应急和新闻宣传科")

    record = _Record(
        id=incident_id, title=title, category=category, lead=lead, assisting=assisting,
        channel=channel, platform=platform, url=f"https://example.com/post/{incident_id.lower()}",
        summary=summary, discovered=discovered, occurred=occurred, events=events, appeal=appeal,
        tags=sorted(rng.sample(_TAGS, rng.randint(0, 3))), review=review, review_at=review_at,
        extension=extension, confidential=rng.random() < 0.01,
    )
    # Not every incident is closed yet: stop some at an earlier stage (older ones less often).
    age = (END - discovered).days
    stop = rng.random()
    if stop < (0.03 if age > 90 else 0.35):
        _cut(record, lambda e: e.type in ("平息", "评估总结", "归档"))
    elif stop < (0.10 if age > 90 else 0.6):
        _cut(record, lambda e: e.type in ("评估总结", "归档"))
    _cut(record, lambda e: e.at > END)
    return record


def _cut(record: _Record, drop_from: object) -> None:
    """Drop the first event matching ``drop_from`` and everything after it."""
    for index, event in enumerate(record.events):
        if drop_from(event):  # type: ignore[operator]
            del record.events[index:]
            break
    last = record.events[-1].at if record.events else record.discovered
    if record.review_at and record.review_at > last:
        record.review = record.review_at = None
    if record.extension and record.extension[0] > last:
        record.extension = None


def generate(count: int, seed: int) -> list[_Record]:
    """``count`` incidents, deterministic for ``seed``, ids numbered by discovery within each year."""
    rng = random.Random(seed)
    span = (END - timedelta(days=30) - START).total_seconds()
    moments = []
    for _ in range(count):
        moment = START + timedelta(seconds=int(rng.random() * span))
        if rng.random() < 0.7:  # mostly discovered in working hours, at whole minutes
            moment = moment.replace(hour=rng.randint(8, 17))
        moments.append(moment.replace(second=0, microsecond=0))
    moments.sort()
    records: list[_Record] = []
    seq: dict[int, int] = {}
    by_year: dict[int, list[str]] = {}
    for moment in moments:
        seq[moment.year] = seq.get(moment.year, 0) + 1
        # At least four digits, never a needless leading zero (check's id-canonical): 0001 … 9999, 10000 …
        incident_id = f"YQ-{moment.year}-{seq[moment.year]:04d}"
        record = _incident(rng, incident_id, moment)
        earlier = by_year.setdefault(moment.year, [])
        if earlier and rng.random() < 0.005:
            record.withdrawn = (record.events[0].at + _minutes(rng, 30, 600), rng.choice(earlier))
            _cut(record, lambda e: e.at > record.withdrawn[0])
        earlier.append(incident_id)
        records.append(record)
    return records


def _path(record: _Record) -> str:
    return f"incidents/{record.discovered.year}/{record.id}.yml"


def _prepare(out: Path) -> None:
    if (out / "incidents").exists() or (out / "register.yml").exists():
        raise SystemExit(f"错误:{out} 已经是一个台账目录;请指定一个新的空目录。")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT / "register.yml", out / "register.yml")
    shutil.copytree(PROJECT / "schemas", out / "schemas")


def write_register(records: list[_Record], out: Path) -> None:
    _prepare(out)
    for year in sorted({r.discovered.year for r in records}):
        (out / "incidents" / str(year)).mkdir(parents=True, exist_ok=True)
    for record in records:
        (out / _path(record)).write_text(record.snapshot(END), encoding="utf-8")


def _commits(records: list[_Record], rng: random.Random) -> Iterator[tuple[datetime, str, str, str]]:
    """(when, file, content, message) for every commit, unsorted."""
    for record in records:
        path = _path(record)
        times = [e.at for e in record.events]
        first = record.discovered + _minutes(rng, 10, 120 if rng.random() < 0.95 else 3000)
        # Registered, then updated at one or two points, then the final state.
        stops = [first]
        middle = [t for t in times if t > first]
        if len(middle) > 2:
            stops.append(middle[len(middle) // 2] + _minutes(rng, 5, 60))
        final = max(times[-1], first) + _minutes(rng, 5, 90)
        if final > stops[-1]:
            stops.append(final)
        for index, moment in enumerate(stops):
            cutoff = END if index == len(stops) - 1 else moment
            verb = "登记" if index == 0 else "更新"
            yield moment, path, record.snapshot(cutoff), f"{verb} {record.id}:{record.title}"


def write_history(records: list[_Record], out: Path, seed: int) -> int:
    """Build ``out``'s git history with one ``git fast-import``; returns the number of commits."""
    _prepare(out)
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    rng = random.Random(seed + 1)
    commits = sorted(_commits(records, rng), key=lambda c: (c[0], c[1]))
    base = [(p.relative_to(out).as_posix(), p.read_bytes()) for p in sorted([out / "register.yml",
                                                                              *(out / "schemas").rglob("*.json")])]
    process = subprocess.Popen(["git", "fast-import", "--quiet", "--date-format=raw"], cwd=out,
                               stdin=subprocess.PIPE)
    assert process.stdin is not None
    stream = process.stdin

    def commit(when: datetime, message: str, files: list[tuple[str, bytes]], staff: tuple[str, str]) -> None:
        stamp = f"{int(when.timestamp())} +0800"
        who = f"{staff[0]} <{staff[1]}@example.gov.cn>".encode()
        body = message.encode()
        stream.write(b"commit refs/heads/main\nauthor " + who + b" " + stamp.encode()
                     + b"\ncommitter " + who + b" " + stamp.encode()
                     + b"\ndata " + str(len(body)).encode() + b"\n" + body + b"\n")
        for name, content in files:
            stream.write(f"M 100644 inline {name}\ndata {len(content)}\n".encode() + content + b"\n")
        stream.write(b"\n")

    commit(START - timedelta(days=1), "建立舆情台账", base, _STAFF[0])
    for when, path, content, message in commits:
        commit(when, message, [(path, content.encode())], rng.choice(_STAFF))
    stream.close()
    if process.wait() != 0:
        raise SystemExit("错误:git fast-import 失败。")
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=out, check=True)
    return len(commits) + 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m yuqing.synthetic",
                                     description="生成一个逼真的合成舆情台账(用于性能测试和规模测试)。")
    parser.add_argument("--count", type=int, required=True, help="事件数量")
    parser.add_argument("--seed", type=int, default=1, help="随机种子(相同种子生成完全相同的文件)")
    parser.add_argument("--out", type=Path, required=True, help="输出目录(新目录)")
    parser.add_argument("--history", action="store_true", help="同时生成 git 历史(每个事件多次提交)")
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("--count 不能为负数")
    records = generate(args.count, args.seed)
    if args.history:
        commits = write_history(records, args.out, args.seed)
        print(f"已生成 {args.count} 个事件和 {commits} 次提交:{args.out}")
    else:
        write_register(records, args.out)
        print(f"已生成 {args.count} 个事件:{args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
