"""Small text helpers shared by the parser modules (pure functions, no state)."""

from __future__ import annotations

import re

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９．％＞＜＝", "0123456789.%><=")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}

CJK = r"\u3400-\u9fff\uf900-\ufaff"
OPEN = "（(【[〔"
CLOSE = "）)】]〕"

# Numbering at the start of a paragraph, by style. The style names double as outline levels.
NUMBERING = [
    ("cn_dun", re.compile(r"^\s*([一二三四五六七八九十百]+)\s*[、.．]\s*")),
    ("cn_paren", re.compile(r"^\s*[（(]\s*([一二三四五六七八九十百]+)\s*[）)]\s*")),
    # up to 4 digits, but not a year ("2023、2024年…")
    ("arabic", re.compile(r"^\s*(?!(?:19|20)[0-9]{2}\b)([0-9０-９]{1,4})\s*[.．、](?![0-9０-９])\s*")),
    ("arabic_paren", re.compile(r"^\s*[（(]\s*([0-9０-９]{1,3})\s*[）)]\s*")),
    ("circled", re.compile(r"^\s*([①-⑳])\s*")),
]

# Headings of the part after the tasks: supervision, not tasks.
SAFEGUARDS = re.compile(
    r"^(保障措施|组织保障|工作要求|保障机制|组织实施|工作保障|实施保障|有关要求|推进机制|组织领导|工作机制|其他事项)"
)

_CJK_OR_PUNCT = rf"[{CJK}\u3001-\u303f\uff01-\uff65“”‘’()]"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<={_CJK_OR_PUNCT})[ \t\u3000]+(?={_CJK_OR_PUNCT})")
_ALL_SPACE = re.compile(r"[\s\u3000]+")


def ascii_digits(text: str) -> str:
    """Full-width digits and comparison signs to ASCII."""
    return text.translate(_FULLWIDTH_DIGITS)


def cn_number(text: str) -> int | None:
    """``十二`` -> 12, ``3`` -> 3, ``①`` -> 1; None when it is not a number."""
    text = ascii_digits(text.strip())
    if len(text) == 1 and "①" <= text <= "⑳":  # before isdigit(), which is True for "①" and "²"
        return ord(text) - ord("①") + 1
    if text.isascii() and text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS and c not in "十百" for c in text):
        return None
    total, current = 0, 0
    for c in text:
        if c == "百":
            total += (current or 1) * 100
            current = 0
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[c]
    return total + current


def numbering(text: str) -> tuple[str, int, int] | None:
    """(style, number, end offset of the marker) when ``text`` starts with a list number."""
    for style, rx in NUMBERING:
        m = rx.match(text)
        if m:
            n = cn_number(m.group(1))
            if n is not None:
                return style, n, m.end()
    return None


def squeeze_cjk_spaces(text: str) -> str:
    """Remove spaces that only split Chinese words (``住房 安全`` -> ``住房安全``)."""
    return _SPACE_BETWEEN_CJK.sub("", text).strip()


def no_spaces(text: str) -> str:
    return _ALL_SPACE.sub("", text)


_HALF = str.maketrans("（）【】〔〕：，；", "()[][]:,;")
_BRACKET = re.compile(r"[（(【\[〔）)】\]〕]")


def half_brackets(text: str) -> str:
    """Full-width brackets and colons to half-width (for comparing names, not for output)."""
    return text.translate(_HALF)


# Traditional characters of table headers and unit names (Hong Kong / Taiwan-style pages of mainland
# documents): read as simplified for matching only; the text is kept as written.
_TRAD = ("牽頭單責務號項內進時間辦門協導領體實際況備註說關級縣區鎮鄉發財廳會員農業資規劃築設衛環監審組為數據場營經濟"
         "開總計統稅應運輸電網絡機構編檢幹黨傳戰僑聯團婦殘學廣視醫療險鐵氣糧儲職與處長條質價貿報紀產權證轉東陽華興寧龍灣"
         "陸島蘇貴遼雲後們個對完廠屬聽園藝護滅災廢壞車輛莊縱橫線調優獎勵濕劑醬動勞價衝觸構標準體廳點歲礦")
_SIMP = ("牵头单责务号项内进时间办门协导领体实际况备注说关级县区镇乡发财厅会员农业资规划筑设卫环监审组为数据场营经济"
         "开总计统税应运输电网络机构编检干党传战侨联团妇残学广视医疗险铁气粮储职与处长条质价贸报纪产权证转东阳华兴宁龙湾"
         "陆岛苏贵辽云后们个对完厂属听园艺护灭灾废坏车辆庄纵横线调优奖励湿剂酱动劳价冲触构标准体厅点岁矿")
_T2S = str.maketrans(_TRAD, _SIMP)


def simplified(text: str) -> str:
    """Common traditional characters of headers and unit names as simplified (a matching key)."""
    return text.translate(_T2S)


# Traditional characters of minutes' wording beyond ``text.simplified``'s (请/议/负/执, 緊/盡/溝/給…): a
# traditional-script copy of mainland minutes is read on a simplified copy, one character for one, and its results
# written back as the text writes them. Each is a character simplified text never uses (not 著, 乾, 於, 覆), so a
# simplified text reads unchanged.
_MINUTES_TRAD = (
    "請議負執綜責們貫徹爭顯達維護費規範檢測驗準備據積極參與並將繼續嚴強頓濟從問題斷創隊緊盡儘溝補償綠給圖選減裝國見決寫樓書記"
    "認識讓論試詢詳課談變語讀講訪訴諾誤該謀這過還邊遞遠適違連遷遺層歸當錢銀閱陳隨難靜響頁順預額風養馬齊態慮懷戶擔擁擇擊擬採換"
    "揮損搶攝撥擴擾攬敵暫樣樹橋檔歡歷漢潔濱無牆獨獲現畫異盤確礎禮穩窮競簡約細終結練績繳織罰肅脫腦舉舊萬葉蓋虛術複覽觀訂託許評"
    "診詞誠誌諮謝豐貨貧購賀賬賴贊趕軌軟較載輔輕週遊鄰鄭釋針鋼錄鍵鎖鐘閒閘階雙雜離靈韓頒頻顧類飛館驅鬥魚麥齡勢勸圍圓壓壯夠夢奪"
    "奮寶專屆嶺幫彈彙徑復徵恆愛慣憑懲攜敗棄榮樂歐淨淺溫滿漁漲澤濃烏熱燈爛犧狀畝畢疊盧眾禍稱種筆節簽籌糾紅納紙紛絕綱緩緒締縮繪"
    "纜羅義習聖聞聲腳臨臺艱藥蘭虧蟲製親覺訊誰謂譯貢貪貸貼賓賠賣賦賽贈贏趨跡踐蹤躍軍輝輪轄辭邏郵銳銷鋪鏈鑒閃閉閑閣闡陣陰隱雖霧"
    "韋頂須顆顏願飢飲飼飽餘饋駐駕騰驚鬧魯鮮鳴鴻麗黃"
)
_MINUTES_SIMP = (
    "请议负执综责们贯彻争显达维护费规范检测验准备据积极参与并将继续严强顿济从问题断创队紧尽尽沟补偿绿给图选减装国见决写楼书记"
    "认识让论试询详课谈变语读讲访诉诺误该谋这过还边递远适违连迁遗层归当钱银阅陈随难静响页顺预额风养马齐态虑怀户担拥择击拟采换"
    "挥损抢摄拨扩扰揽敌暂样树桥档欢历汉洁滨无墙独获现画异盘确础礼稳穷竞简约细终结练绩缴织罚肃脱脑举旧万叶盖虚术复览观订托许评"
    "诊词诚志咨谢丰货贫购贺账赖赞赶轨软较载辅轻周游邻郑释针钢录键锁钟闲闸阶双杂离灵韩颁频顾类飞馆驱斗鱼麦龄势劝围圆压壮够梦夺"
    "奋宝专届岭帮弹汇径复征恒爱惯凭惩携败弃荣乐欧净浅温满渔涨泽浓乌热灯烂牺状亩毕叠卢众祸称种笔节签筹纠红纳纸纷绝纲缓绪缔缩绘"
    "缆罗义习圣闻声脚临台艰药兰亏虫制亲觉讯谁谓译贡贪贷贴宾赔卖赋赛赠赢趋迹践踪跃军辉轮辖辞逻邮锐销铺链鉴闪闭闲阁阐阵阴隐虽雾"
    "韦顶须颗颜愿饥饮饲饱余馈驻驾腾惊闹鲁鲜鸣鸿丽黄"
)
MINUTES_T2S = str.maketrans(_MINUTES_TRAD, _MINUTES_SIMP)


def minutes_simplified(text: str) -> str:
    """``simplified`` and the minutes' wording of ``MINUTES_T2S``: one character for one, so positions stay."""
    return simplified(text).translate(MINUTES_T2S)


def name_key(name: str) -> str:
    """Comparison key of a unit name: no spaces, half-width brackets, simplified characters."""
    return simplified(half_brackets(no_spaces(name)))


def first_sentence(text: str, limit: int = 80) -> str:
    """Text up to the first 。 (without it), trimmed of trailing punctuation."""
    cut = text.find("。")
    head = text if cut < 0 else text[:cut]
    head = head.strip().rstrip("；;，,：:")
    return head[:limit].strip()


def split_top_level(text: str, seps: str) -> list[tuple[str, int]]:
    """Split on ``seps`` outside brackets; returns (piece, offset) pairs, pieces stripped."""
    out: list[tuple[str, int]] = []
    depth, start = 0, 0
    for m in _splitter(seps).finditer(text):
        ch, i = m.group(), m.start()
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append((text[start:i], start))
            start = i + 1
    out.append((text[start:], start))
    result = []
    for piece, off in out:
        stripped = piece.strip()
        if stripped:
            result.append((stripped, off + piece.find(stripped)))
    return result


_SPLITTERS: dict[str, re.Pattern[str]] = {}


def _splitter(seps: str) -> re.Pattern[str]:
    rx = _SPLITTERS.get(seps)
    if rx is None:
        rx = _SPLITTERS[seps] = re.compile("[" + re.escape(OPEN + CLOSE + seps) + "]")
    return rx


def matching_close(text: str, open_at: int) -> int:
    """Index of the bracket closing the one at ``open_at``; -1 when it is never closed."""
    depth = 0
    for m in _BRACKET.finditer(text, open_at):
        if m.group() in OPEN:
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return m.start()
    return -1


def bracket_groups(text: str) -> list[tuple[int, int]]:
    """(open, close) of the top-level bracket groups, in one pass over the brackets only."""
    groups, depth, start = [], 0, -1
    for m in _BRACKET.finditer(text):
        if m.group() in OPEN:
            if depth == 0:
                start = m.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                groups.append((start, m.start()))
    return groups


def join_lines(left: str, right: str) -> str:
    """Join a paragraph broken across lines: no space between Chinese, one between words."""
    def word(ch: str) -> bool:
        return ch.isascii() and ch.isalnum()

    if left and right and word(left[-1]) and word(right[0]):
        return f"{left} {right}"
    return left + right


def join_cell_lines(lines: list[str]) -> str:
    """A table cell's lines as one text: a name broken over lines in a narrow column ("市\\n监\\n察\\n局",
    "市住建\\n局") joins up, separate entries ("市住建局\\n市财政局") stay apart by a space."""
    parts = [p.strip() for p in lines if p and p.strip()]
    if not parts:
        return ""
    out = parts[0]
    for part in parts[1:]:
        last = out.rsplit(" ", 1)[-1]
        complete = len(last) >= 3 and last.endswith(_NAME_ENDS)  # "市住建局" then "各镇": two names
        narrow = (len(part) <= 2 or len(last) <= 1) and not complete
        if narrow:
            out = join_lines(out, part)
        elif complete and _one_name(last) and _one_name(part):
            out = f"{out}、{part}"  # a list of units, one a line: "市委组织部" / "市财政局"
        else:
            out = f"{out} {part}"
    return out


def _one_name(text: str) -> bool:
    return 2 <= len(text) <= 20 and text.endswith(_NAME_ENDS) and not re.search(r"[\s，,。；;：:、]", text)


_NAME_ENDS = ("局", "委", "办", "院", "中心", "部", "厅", "队", "所", "站", "公司", "政府", "镇", "街道", "乡",
              "科", "处", "室", "会", "组", "行", "社", "馆", "校")
