"""Every issue code `yuqing check` can report, with what it means (README table).

Codes are stable: tools and people search for them. Add one here when a check
introduces it; tests/test_codes.py fails otherwise, and checks the README table.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    # reading the file
    "file-too-large": "文件超过 1 MiB 上限,未读取",
    "file-unreadable": "文件无法读取(权限、目录等)",
    "file-empty": "文件为空或只有注释",
    "file-extension": "扩展名应为 .yml",
    "encoding-gbk": "文件是 GBK 编码,应为 UTF-8",
    "encoding-utf16": "文件是 UTF-16 编码,应为 UTF-8",
    "encoding-unknown": "文件不是 UTF-8 编码",
    "yaml-syntax": "YAML 语法错误(缩进、冒号、引号、Tab)",
    "yaml-duplicate-key": "同一个键出现两次",
    "yaml-anchor": "使用了 YAML 锚点 &",
    "yaml-alias": "使用了 YAML 别名 *",
    "yaml-tag": "使用了 YAML 标签 !!",
    "yaml-complex-key": "键不是简单文字",
    "yaml-multiple-documents": "一个文件有多个 YAML 文档(---)",
    "yaml-too-deep": "嵌套层数过深",
    "not-a-mapping": "顶层不是“键: 值”映射",
    # the schema
    "missing-field": "缺少必填项",
    "unknown-field": "不认识的键(常为拼写错误)",
    "bad-value": "取值不在允许范围内(等级、状态、事件类型等)",
    "bad-type": "类型不对(应为文字、列表、true/false 等)",
    "bad-format": "格式不对(如编号)",
    "bad-time": "不是有效时间(只有日期、日期不存在、格式不对)",
    "empty-value": "不能为空",
    "too-long": "超过长度上限(如标题 120 字)",
    "duplicate-item": "列表中有重复项",
    "grading-level": "定级、升级、降级事件缺少等级",
    "schema-other": "其他不符合 schema 的情况",
    # the rules of SPEC section 2
    "id-filename": "编号与文件名不一致",
    "id-prefix": "编号前缀与 register.yml 不一致",
    "id-year": "编号年份与发现时间年份不一致",
    "id-duplicate": "编号重复",
    "year-folder": "文件不在发现年份的目录下",
    "unknown-category": "领域不在 register.yml 中",
    "unknown-unit": "单位不在 register.yml 中",
    "unknown-event-unit": "(提醒)处置事件的执行单位像是本局单位的笔误",
    "time-future": "时间在未来(超过 10 分钟)",
    "occurred-after-discovered": "发生时间晚于发现时间",
    "timeline-order": "处置经过未按时间先后排列",
    "timeline-before-discovery": "处置事件早于发现时间",
    "level-mismatch": "当前等级与最后一个分级事件不一致",
    "grading-direction": "(提醒)升级并未升高、降级并未降低",
    "status-event": "已平息缺“平息”事件,或已归档缺“归档”事件",
    "review-required": "重大、特别重大舆情归档前缺评估总结",
    "review-incomplete": "评估总结缺项",
    "extension-rule": "延期的规则不存在",
    "extension-not-allowed": "该规则不允许延期",
    "extension-over-cap": "延期超过上限(默认 10 天)",
    "extension-before-start": "延期截止早于时限起算",
    "withdrawn-self": "撤销记录的 duplicate_of 指向自己",
    "withdrawn-unknown": "撤销记录的 duplicate_of 指向不存在的事件",
    # git history (yuqing check --history)
    "late-registration": "(提醒)迟报:从发现到提交登记超过 register.yml 规定的小时数",
    # register.yml
    "no-register": "找不到 register.yml",
    "bad-timezone": "时区名无效",
    "bad-ruleset": "内置规则集名称无效",
    "rule-duplicate": "规则编号重复",
    "working-hours-order": "工作时段顺序或重叠有误",
    "calendar-date": "节假日补充中的日期无效",
    "calendar-conflict": "同一天既放假又上班",
}
