"""Every message the importers (and the plan import's service) write for people: the warnings stored on a plan
(``Plan.import_warnings``), the previews' messages and the refusals (``PlanParseError``). Pure, no Django.

Each is a Chinese template, the catalogue's message id, written with its values (``Issue``); a refusal or warning
may be followed by an English technical note in brackets for staff (``noted``). The stored text stays Chinese
(the site's language, what ``import_plan --json`` prints); ``tasks.stored_text.import_text`` reads a text
written from one of these templates again in the reader's language, its values as they are (a label among them,
``LABELS``, translated too). Old rows read the same: their texts are these templates' (``LEGACY`` maps the
wordings an import no longer writes to those that replaced them). Add a message here, never as an f-string
at its call site.
"""

from __future__ import annotations

from .issues import Issue

# -- warnings of the plan parser ----------------------------------------------------------------------------
STATEMENT_COVERS = "一条责任单位说明覆盖%(n)s项(%(numbers)s),请核对"
DEADLINE_UNREADABLE = "无法识别完成时限“%(text)s”"
WORK_DEADLINE_UNREADABLE = "无法识别完成期限“%(text)s”"
TASK_WITHOUT_UNITS = "任务%(number)s“%(title)s”没有责任单位"
STATEMENT_UNCLOSED = "任务%(number)s的责任单位括号未闭合"
SPLIT_DOUBTFUL = "“%(piece)s”拆分为%(n)s个单位：%(names)s，请核对"
OF_TASK = "任务%(number)s：%(message)s"  # a task's message (``message``: another of these, read with it)
RENUMBERED = "任务编号重复或缺失,已按顺序重新编号"
NO_UNITS_LIST = "未找到有关单位名单,单位取自任务"
NO_YEAR = "工作清单没有年份"
DOUBTFUL_LINK = "工作清单指标“%(indicator)s”与重点任务%(number)s的关联把握不大,请核对"
PROSE_TARGET = "指标%(number)s“%(name)s”只有一段文字目标,记为%(year)s年目标"
MERGED_CELL = "表格单元格为空(合并单元格),%(labels)s沿用上一行"
SHORT_ROW = "表格行缺少单元格(合并单元格),%(labels)s沿用上一行"
UNIT_DOUBTFUL_MATCH = "单位“%(name)s”按简称匹配为“%(unit)s”,请核对"
UNIT_NOT_IN_LIST = "单位“%(name)s”不在有关单位名单中"
# The field limits (``limits.enforce_field_limits``).
AT_LINE = "第 %(line)s 行：%(message)s"  # ``message``: another of these, read with it
TOO_LONG = "%(label)s超过 %(limit)s 字，已截断"
UNIT_NAME_TOO_LONG = "单位名称超过 %(limit)s 字，已截断"
YEAR_OUT_OF_RANGE = "年份 %(year)s 不在 %(low)s—%(high)s 之间，已忽略"
NUMBER_TOO_LARGE = "数值“%(value)s”过大，保留原文、不作为数值"
DATE_OUT_OF_RANGE = "日期 %(value)s 不在 %(low)s—%(high)s 之间，已忽略"
VALUE_OUT_OF_RANGE = "%(label)s %(value)s 超出范围，已忽略"
BASELINE_YEAR_OUT_OF_RANGE = "现状值年份 %(value)s 超出范围，已忽略"
NO_SUCH_DATE = "期限“%(text)s”不是真实日期，已按该月最后一天处理，请核对"
TITLE_TOO_LONG = "标题等超过 %(limit)s 字，已截断"
DUPLICATE_NUMBER = "%(kind)s序号 %(number)s 重复，已改为 %(new)s"
NO_TARGET_COLUMNS = "指标表未识别出年度目标列，各指标没有年度目标，请核对表头"

# The minutes importer (``decisions``): a phrase written where a 牵头/配合 unit is named ("由…牵头", "…配合", a
# 牵头单位/配合单位 field) that the recogniser of names refuses (``orgnames.names_no_unit``); ``slot``: 牵头单位 or
# 配合单位 (a label, read in the reader's language).
SLOT_NOT_A_UNIT = "第%(line)d行：%(slot)s“%(phrase)s”不像单位名称，未列入，请核对。"

# -- warnings the import adds (it compares the document with the database), and how a choice settled one -----
UNIT_CREATED = "新建单位：%(name)s"
COLLECTIVE_NOT_EXPANDED = ("集合单位“%(name)s”没有成员名单，未展开到具体单位：它不承担事项、不参与排名，"
                           "也不填报配合到位。请在后台为相关重点任务和事项列明其成员单位。")
INDICATOR_UNLINKED = "指标%(number)s“%(name)s”未能关联到重点任务，请在管理后台指定。"
INDICATOR_LINK_DOUBTFUL = "指标%(number)s“%(name)s”关联到重点任务%(task)s“%(title)s”把握不大，请核对。"
INDICATOR_NOT_MATCHED = "工作清单指标“%(indicator)s”在目标表中没有对应指标，请在管理后台关联。"
CONFIRMED_OWN_UNIT = "协调员确认：“%(name)s”为独立单位"
CONFIRMED_UNIT = "协调员确认：对应已有单位“%(name)s”"
CONFIRMED_LINK = "协调员确认：关联到重点任务%(number)s"
CONFIRMED_NO_LINK = "协调员确认：不关联重点任务"

# -- refusals: the document cannot be read (``PlanParseError``; the error names the file and the line) ---------
NO_TASKS = "未找到带责任单位的重点任务,这不是可导入的实施方案"
EMPTY_FILE = "文件为空"
FILE_NOT_FOUND = "文件不存在"
A_DIRECTORY = "这是一个目录,不是文件"
CANNOT_READ = "无法读取文件"
ZIP_AS_TEXT = "这是压缩/Word 文件,请使用 .docx 扩展名"
UTF16_UNREADABLE = "无法识别的文本编码"
ENCODING_UNREADABLE = "无法识别的文本编码,请另存为 UTF-8 或 GB18030"
BINARY_TEXT = "不是文本文件,含二进制内容"
NEEDS_DOCX = "读取 .docx 需要 python-docx"
NEEDS_PYPDF = "读取 .pdf 需要 pypdf"
DOCX_UNREADABLE = "无法打开 Word 文档"
PDF_UNREADABLE = "无法读取 PDF"
PDF_NO_TEXT = "PDF 没有文字层(扫描件?)"
NEEDS_LIBREOFFICE = "读取 .doc/.wps 需要 LibreOffice,服务器未安装;请另存为 .docx 后上传"
LEGACY_UNCONVERTED = "LibreOffice 无法读取此 %(suffix)s 文件(已损坏或不是 Word/WPS 文档);请另存为 .docx 后上传"
NOT_LEGACY = "不是 Word/WPS 文档,无法读取此 %(suffix)s 文件;请另存为 .docx 后上传"
NO_TEXT = "文件中没有可读的文字。"
TOO_LARGE = "文件超过 %(mb)s MB 上限"
INFLATES_TOO_LARGE = "%(kind)s解压后超过 %(mb)s MB 上限，未导入任何内容"
TOO_MANY_PAGES = "文档超过 %(pages)s 页上限，未导入任何内容"
DAMAGED = "文档内容损坏，无法读取"
TEXT_TOO_LARGE = "文档文字超过 %(mb)s MB 上限"
TIMED_OUT = "解析超过 %(seconds)s 秒上限，已停止，未导入任何内容"
PARSER_DIED = "解析进程意外退出，未导入任何内容"
# Spreadsheets (a roster, a plan's tables).
SHEET_INFLATES_TOO_LARGE = "表格文件解压后超过 %(mb)s MB 上限,未导入任何内容"
NOT_ET = "不是 WPS 表格文件,无法读取此 .et 文件"
NOT_EXCEL = "不是 Excel 文件,无法读取此 %(suffix)s 文件;请用 Excel/WPS 另存后上传"
SHEET_FORMAT = "不支持 %(suffix)s 格式的表格"
WORKBOOK_UNREADABLE = "无法打开 Excel 文件"
SHEET_TOO_MANY_ROWS = "工作表“%(sheet)s”超过 %(limit)s 行上限(到第 %(rows)s 行),未导入任何内容;请删除多余的空行后上传"
SHEET_TOO_MANY_COLUMNS = ("工作表“%(sheet)s”超过 %(limit)s 列上限(到第 %(columns)s 列),未导入任何内容;"
                          "请删除多余的列后上传")
SHEET_TOO_MANY_CELLS = "工作表“%(sheet)s”单元格超过 %(limit)s 个上限,未导入任何内容"
NEEDS_CALAMINE = "读取表格需要 python-calamine"
PASSWORD = "表格文件设有密码,请取消密码后上传"
WORKBOOK_DAMAGED = "无法打开表格文件,文件已损坏或不是 Excel 文件"
SHEET_UNREADABLE = "无法读取工作表“%(sheet)s”"
NO_SHEETS = "表格文件没有工作表"
CSV_BINARY = "不是 CSV 文本,含二进制内容"
CSV_ENCODING = "无法识别的文本编码,请另存为 UTF-8 或 GB18030 的 CSV"
CSV_MALFORMED = "CSV 格式错误"
NEEDS_CALC = "读取 WPS 表格(.et)需要 LibreOffice Calc,服务器未安装;请另存为 .xlsx 后上传"
ET_TIMED_OUT = "LibreOffice 转换 .et 超过 %(seconds)s 秒,已停止"
ET_TOO_SLOW = "LibreOffice 转换 .et 超过 %(seconds)s 秒,已停止;请在 WPS 中另存为 .xlsx 后上传"
ET_UNCONVERTED = "LibreOffice 无法读取此 .et 文件(已损坏或不是 WPS 表格);请另存为 .xlsx 后上传"

# Wordings earlier imports stored (a doubtful split's note was English), each read as the template that
# replaced it (the same values), in either language; never written again.
OLD_SPLIT = "“%(piece)s” read as %(n)s units: %(names)s"
OLD_OF_TASK = "任务%(number)s: %(message)s"
LEGACY = {OLD_SPLIT: SPLIT_DOUBTFUL, OLD_OF_TASK: OF_TASK}

# Labels an importer writes among a message's values (a field's or a column's name, a kind of file): read in
# the reader's language too; several joined by 、 are read one by one.
LABELS = (
    "名称", "标题", "板块", "领域", "计量单位", "期限", "内容", "序号", "年份", "现状值年份", "重点任务序号",
    "指标", "重点任务", "牵头单位", "责任单位", "配合单位", "Word 文档", "表格文件", "无扩展名",
)

TEMPLATES: tuple[str, ...] = tuple(
    value for name, value in list(globals().items()) if name.isupper() and isinstance(value, str)
)


def noted(message: str, note: str) -> str:
    """A message followed by its English technical note for staff: "文件为空 (empty file)"."""
    return f"{message} ({note})" if note else str(message)


__all__ = ["LABELS", "LEGACY", "TEMPLATES", "Issue", "noted"]
