"""The change policy of the pull-request gate, as ONE table.

git keeps every version; the gate (`yuqing audit`) decides which changes may
reach the main branch. Its principle: nothing recorded is lost or silently
rewritten, and nothing that moves a clock or hides a record passes unseen.

Each row is one kind of change, with a stable code, its class and why:

* ``allowed``  -- passes; rows with ``shown`` also appear as ``info`` findings;
* ``approval`` -- passes only with a named approver's review (CODEOWNERS); each
  such change is listed under "需要审批" (severity ``approval``);
* ``refused``  -- fails the gate (severity ``error``).

The audit classifies every difference it finds through this table
(:func:`row`), the README and the site print it (:func:`policy_markdown`), and
the tests walk it row by row. A new kind of change is a new row here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .model import Severity

PolicyClass = Literal["allowed", "approval", "refused"]

CLASS_TEXT: dict[str, str] = {"allowed": "允许", "approval": "需审批", "refused": "不允许"}
"""The class in Chinese, as the README, the site and the messages say it."""

SEVERITY: dict[str, Severity] = {"allowed": "info", "approval": "approval", "refused": "error"}
"""The severity of a finding of each class."""


@dataclass(frozen=True)
class PolicyRow:
    code: str
    """Stable code, as the findings carry it."""
    cls: PolicyClass
    change: str
    """What the change is, in Chinese."""
    reason: str
    """Why it is classed so, in Chinese."""
    shown: bool = True
    """For ``allowed`` rows: whether the change is shown as an ``info`` finding."""

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.cls]


POLICY: tuple[PolicyRow, ...] = (
    # --- allowed -----------------------------------------------------------
    PolicyRow("record-added", "allowed", "新登记一个事件(新文件 `incidents/<年份>/<编号>.yml`)",
              "登记越早越好;新文件不改动任何已有记录", shown=False),
    PolicyRow("event-appended", "allowed", "在目标分支最后一条处置事件之后追加事件(含更正)",
              "处置经过只增不改:续报、答复、平息、更正都是追加", shown=False),
    PolicyRow("level-follows-events", "allowed",
              "`level`/`status` 随追加的事件改变(等级=最后一个定级/升级/降级事件的等级;已平息/已归档有追加的平息/归档事件)",
              "当前等级和状态由处置经过决定,站点的修改记录保留每个旧值", shown=False),
    PolicyRow("field-filled", "allowed",
              "补填目标分支上没有的字段或条目(`review`、`tags`、`source.url`、`units.assisting` 等)",
              "只增加信息,不丢失已记录的内容", shown=False),
    PolicyRow("text-refined", "allowed", "未归档时修改描述性文字(`title`、`summary`、`source.platform`)",
              "描述随核实而完善;站点的修改记录保留每个旧值,并在审核结果中提示"),
    PolicyRow("event-recorded-late", "allowed",
              "追加的事件时间早于审核时间超过 `late_registration_hours`(默认 24 小时)",
              "事后补记是如实记录,但审批人和站点读者应看到它晚记了多久"),
    # --- approval ----------------------------------------------------------
    PolicyRow("withdrawn-changed", "approval", "新增、删除或修改 `withdrawn`(撤销),包括新登记时即带撤销",
              "撤销让事件不再计入时限和统计"),
    PolicyRow("confidential-changed", "approval", "新增、删除或修改 `confidential`(涉密),包括新登记时即为涉密",
              "涉密让事件从公开站点消失,解密会公开它"),
    PolicyRow("event-backdated", "approval", "在目标分支最后一条处置事件之前插入事件(补录),或追加的事件时间早于它",
              "倒填的事件可能让已逾期的时限显示为按时完成"),
    PolicyRow("extension-late", "approval", "新增的延期批准于正常时限到期之后(或未写批准时间)",
              "逾期后再补批延期会掩盖逾期;按目标分支的规则计算正常时限"),
    PolicyRow("time-changed", "approval", "新增或修改 `occurred_at`、`discovered_at`",
              "时限从这些时间起算,改动会移动时钟"),
    PolicyRow("appeal-changed", "approval", "新增或修改 `appeal`(网民诉求及其 `posted_at`)",
              "答复时限从诉求发布时间起算,改动会移动或增减时钟"),
    PolicyRow("field-changed", "approval",
              "修改其他已记录的值(领域、责任单位、来源渠道、链接、延期、评估总结等)",
              "改动会影响统计、时限或问责"),
    PolicyRow("deadline-removed", "approval",
              "按目标分支的规则和审核时间计算,目标分支上该记录已有的某项时限在本分支上不再存在(如首次定级把等级改低)",
              "时限消失等于免除了上报、回应的义务"),
    PolicyRow("deadline-moved", "approval", "目标分支上已有时限的起算或截止时间被改动",
              "移动时钟可能让逾期变成按时"),
    PolicyRow("deadline-rescued", "approval",
              "审核时已逾期或超时完成的时限因本次追加的事件或延期变成按时完成或未到期;"
              "新登记的记录把截止已过的时限记为按时完成(处置或批准时间早于截止,却是现在才记录)",
              "事后补记的时间无从核实;审批人须确认处置或批准确实发生在所写的时间"),
    PolicyRow("config-changed", "approval",
              "修改 `incidents/` 以外的任何文件:`register.yml`、`schemas/`、规则集、工作流、工具代码、测试、文档、"
              "`Makefile`、`.pre-commit-config.yaml`、`.vscode/`、`.gitattributes` 等",
              "这些文件决定规则和审核本身,或会在同事的电脑和 CI 上运行;合并请求始终由目标分支的工具和设置来审核"),
    # --- refused -----------------------------------------------------------
    PolicyRow("record-deleted", "refused", "删除事件文件",
              "登记过的事件不得删除;登记有误或重复请填写 `withdrawn` 撤销"),
    PolicyRow("record-renamed", "refused", "事件文件改名或移动",
              "文件名就是编号,改名会让记录和它的时限从所有输出中消失"),
    PolicyRow("record-misplaced", "refused",
              "`incidents/` 下的文件不是 `incidents/<年份>/<编号>.yml` 的普通文件(符号链接、子目录、`.YML`、`.yml.bak` 等)或编号与文件名不符",
              "这样的文件不被当作记录读取,其中的事件和时限会被隐藏"),
    PolicyRow("id-changed", "refused", "修改编号 `id`", "编号登记后不变,别处的引用和历史都依赖它"),
    PolicyRow("id-taken", "refused", "新登记的编号在目标分支上已被占用", "两人同时登记了同一编号,后合并的一方须换号"),
    PolicyRow("event-removed", "refused", "删除目标分支上已有的处置事件",
              "已记录的事件不得删除;记错了请追加一条“更正”事件说明"),
    PolicyRow("event-reordered", "refused", "调换已有处置事件的顺序", "处置经过的顺序就是记录的顺序"),
    PolicyRow("event-changed", "refused", "修改已有处置事件的任何字段(时间、类型、等级、执行单位、说明等)",
              "已记录的事件不得改写;更正请追加一条“更正”事件并写明更正的是哪一条"),
    PolicyRow("level-changed", "refused", "改了 `level` 却没有追加相应的定级/升级/降级事件",
              "悄悄降级会取消 2 小时、24 小时等时钟"),
    PolicyRow("status-changed", "refused", "改了 `status` 却没有追加相应的事件(平息、归档等)",
              "状态决定事件是否还在处置、时限是否还在提醒"),
    PolicyRow("field-removed", "refused", "删除目标分支上已有的字段或条目(如 `appeal`、延期、标签)",
              "已记录的内容不得丢失"),
    PolicyRow("archived-rewritten", "refused", "改写已归档的记录(只允许在末尾追加“更正”事件)",
              "归档即定稿;更正以追加的方式留痕"),
    PolicyRow("time-offset", "refused", "时间写了与台账时区不同的 UTC 偏移(如 `+23:59`、`Z`)",
              "看起来是一个时间,按偏移计算却是另一个时间,会悄悄移动时钟"),
    PolicyRow("confidential-mention", "refused", "公开记录的文字提到涉密记录的编号或完整标题",
              "站点构建的泄密检查会因此中止发布;涉密内容不得出现在公开记录中"),
    PolicyRow("record-unreadable", "refused", "修改后的事件文件无法解析,或有加载错误(合并键 `<<`、重复键、YAML 标签等)",
              "无法核对的改动不能放行;请先用 `yuqing check` 修正"),
)

_BY_CODE: dict[str, PolicyRow] = {r.code: r for r in POLICY}


def row(code: str) -> PolicyRow:
    """The policy row of ``code`` (KeyError for an unknown code: a missing row is a bug)."""
    return _BY_CODE[code]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def policy_markdown() -> str:
    """The policy as a Markdown table (README, the site's rules page and docs/guide/gate.md print it)."""
    lines = ["| 代码 | 类别 | 改动 | 理由 |", "|---|---|---|---|"]
    for item in POLICY:
        lines.append(f"| `{item.code}` | {CLASS_TEXT[item.cls]} | {_cell(item.change)} | {_cell(item.reason)} |")
    return "\n".join(lines) + "\n"
