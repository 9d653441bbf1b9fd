"""Decode a text table file strictly: UTF-8 when it is UTF-8, GBK/GB18030 or Big5 only when it reads as Chinese.

Rules, in order (each refusal is one :class:`~graph.errors.LoadError` line naming the file):

1. A byte-order mark decides: UTF-8 (``utf-8-sig``), UTF-32 or UTF-16 (Excel's
   "Unicode text"), decoded strictly. Content that is no text at all (an
   SQLite database, a zip/xlsx archive, NUL bytes without a mark: UTF-16
   without a BOM) is refused with what it is.
2. The whole file decodes as UTF-8: it is UTF-8.
3. Otherwise the file is looked at line by line. When lines that decode as
   UTF-8 and hold CJK text are at least as many as the lines that do not,
   it is a UTF-8 file with bad bytes: those lines are decoded with U+FFFD
   and returned in ``bad_lines`` so that the rows on them are rejected,
   each naming its line and the first bad byte. The rest of the file is
   never re-decoded in another encoding. More bad lines than good ones is a
   file that mixes encodings, and is refused naming the first bad lines.
4. No line is UTF-8 with CJK text: the whole file is tried as GB18030 (which
   covers GBK and GB2312) and then as Big5 (HKSCS); a decoding is taken only
   when it *looks like Chinese text*: CJK ideographs, CJK punctuation and
   full-width forms make at least 90% of the non-ASCII characters, and, when
   there are at least :data:`MIN_SCORED` ideographs, at least
   :data:`MIN_COMMON` of them are among a few thousand characters that
   company names, person names and addresses are made of (so Korean EUC-KR
   or Big5 bytes read as GBK, which give valid but random ideographs, and
   mojibake such as ``涓婃捣`` are refused). Big5 is decoded when it clearly
   is Traditional Chinese; the report says ``big5hkscs``.
5. Text that reads as Korean (EUC-KR) or Japanese (Shift-JIS) is refused
   naming that encoding; anything else as "neither UTF-8 nor GBK/GB18030".

>>> decode_bytes("上海某芯科技有限公司,张伟\\n".encode("gbk"), "c.csv").encoding
'gb18030'
>>> decode_bytes("上海".encode("utf-8") + b"\\n", "c.csv").encoding
'utf-8'
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from graph.errors import LoadError
from graph.messages import Message

#: ideographs needed before the common-character test is applied (fewer: the CJK share alone decides)
MIN_SCORED = 12
#: share of ideographs that must be common name/address characters for a GBK or Big5 reading to be accepted
MIN_COMMON = 0.5
#: share of non-ASCII characters that must be CJK for a non-UTF-8 reading to be accepted
MIN_CJK = 0.9

_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_SQLITE = b"SQLite format 3\x00"
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PDF = b"%PDF"

# Characters that Chinese company names, person names and addresses are mostly made of, Simplified and
# Traditional. Used only to tell real Chinese from bytes of another encoding read as GBK or Big5.
_COMMON_TEXT = (
    # place names, administrative words
    "中国北京上海天津重庆河北山西辽宁吉林黑龙江苏浙安徽福建江西山东河南湖北湖南广东海南四川贵州云南陕西甘肃"
    "青海台湾内蒙古广西西藏宁夏新疆香港澳门省市县区镇乡村街道路号弄巷楼层室座栋单元大厦广场中心花园新城"
    "深圳苏州杭州宁波温州绍兴嘉兴湖州金华台州无锡常州南通徐州扬州镇江泰州盐城淮安连云宿迁合肥芜湖蚌埠南昌赣"
    "福州厦门泉州漳州莆田济南青岛烟台潍坊淄博威海临沂郑州洛阳开封武汉宜昌襄阳长沙株洲湘潭广州佛山东莞珠海中山"
    "惠州江门汕头成都绵阳贵阳昆明西安兰州西宁银川乌鲁木齐拉萨南宁桂林柳州海口三亚太原大同石家庄唐山保定邯郸"
    "沈阳大连鞍山长春哈尔滨呼和浩特包头浦东闵行徐汇静安虹口杨浦普陀宝山嘉定松江青浦奉贤金山崇明朝阳海淀丰台"
    "东城西城通州顺义昌平大兴怀柔密云延庆福田罗湖南山宝安龙岗盐田光明坪山滨江萧山余杭拱墅上城西湖钱塘临平"
    "高新经济技术开发自贸保税园工业科技产业基地港口岸口关路段环线东西南北中前后左右上下内外"
    # company words
    "有限责任公司股份集团控股投资资本资产管理咨询服务顾问贸易进出口实业发展建设工程建筑装饰安装劳务人力资源"
    "科技信息网络软件数据智能云计算电子电气电器设备机械制造材料新能源光伏储能锂电池汽车零部件半导体芯片微集成"
    "电路通信通讯医药医疗器械生物化学化工塑料橡胶纺织服装鞋帽食品饮料农业林牧渔养殖种植物流运输仓储供应链"
    "物业置业地产房开租赁融资担保小额贷款典当保险证券基金期货银行信托财务结算商业零售批发超市连锁餐饮酒店"
    "旅游文化传媒广告影视教育培训体育健康环保节能水务燃气热力电力能源矿业钢铁有色金属冶炼石油天然气煤炭"
    "精密仪器仪表检测认证研究院所设计规划测绘监理造价评估律师会计师事务合伙企业个体工商户分公司子支办事处"
    "国有民营外资合资独资联合总部创新创业孵化加速器平台互联网电商跨境国际环球亚太华东华南华北西部中部"
    "第一二三四五六七八九十百千万亿零号元角分年月日新旧老大小高低长短多少正副总主次"
    # surnames and frequent given-name characters
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄"
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉玲建国峰林斌宇浩凯晨欣怡婷雪梅琳颖倩佳丹"
    "宁子轩梓涵一诺然雨泽博文思彤妍嘉俊豪志鑫海亮飞波晓燕慧巧美娇琴云莲真环素琼桂芬萱蕾薇菲露瑶琪璐洁"
    "荣昌盛兴旺达通顺利福祥瑞嘉和泰安康宏伟鸿鹏程远航腾飞卓越精诚信义仁德厚道恒久永丰富源聚鼎鑫森淼焱垚"
    "天地人和春夏秋冬风云雷电山川河流湖海江波涛明亮光辉星月日辰时代世纪未来梦想希望之的是在了不和有为"
    # family ties and concert agreements (KYC 与本人关系, 一致行动): files made almost only of these words
    "人员编号关系亲属配偶夫妻丈父母子女儿兄弟姐妹姊婿翁岳姻媳婆公孙侄甥叔伯姑舅姨表堂爸妈一致行动签署到期解除终止"
    "親屬關係與編號員兒媽爸婦終簽"
    # Traditional forms of frequent characters
    "國際發展實業貿易電子集團銀行東區廣華會張陳劉黃吳趙楊鄭謝韓馮鄧蕭葉蘇呂盧陸錢龍陽鍾譚賈範許們這個來"
    "說時為對過還見經現發學開關問長萬與後從頭進體點樣動種麼當話機裡應該數資產業務網絡訊設備製造證券險醫藥"
    "農運輸島臺灣臺北門興達聯創專電氣車輛環節能源價稅額營總監董事獨財經協調責任股份限公司億萬圓號樓廈場園"
    "區縣鎮鄉街道灣豐鐵鋼礦廠貨買賣紡織裝飾設計諮詢顧問廣告傳媒視訊軟體資訊網際實驗檢測認證研究院織錶"
    "創辦監察副長務處組員級際長榮鴻勝穩寶財貴傑偉強華麗維際聖齊劍嶺漢滬蘇浙閩粵贛鄂湘魯豫晉冀遼吉黑陝甘寧"
)
_COMMON = frozenset(_COMMON_TEXT)


@dataclass(frozen=True)
class Decoded:
    """A decoded text file: the text, the encoding used, and the lines (1-based) whose bytes were not valid."""

    text: str
    encoding: str
    bad_lines: dict[int, str] = field(default_factory=dict)


def _is_ideograph(ch: str) -> bool:
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x3134F or 0xF900 <= code <= 0xFAFF
    )


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return _is_ideograph(ch) or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF or code in (0x2014, 0x2026, 0xB7)


def chinese_score(text: str) -> tuple[float, float, int]:
    """``(cjk_share, common_share, ideographs)`` of a text: how much it looks like Chinese names and addresses.

    ``cjk_share``: CJK characters among the non-ASCII ones (1.0 for pure ASCII);
    ``common_share``: common name/address characters among the ideographs.

    >>> chinese_score("上海某芯科技有限公司")[0]
    1.0
    >>> chinese_score("涓婃捣鏌愯姱绉戞妧")[1] < 0.5
    True
    """
    non_ascii = cjk = ideographs = common = 0
    for ch in text:
        if ch.isascii():
            continue
        non_ascii += 1
        if _is_cjk(ch):
            cjk += 1
            if _is_ideograph(ch):
                ideographs += 1
                common += ch in _COMMON
    return (cjk / non_ascii if non_ascii else 1.0), (common / ideographs if ideographs else 1.0), ideographs


def looks_chinese(text: str) -> bool:
    """True when ``text`` reads as Chinese (see the module's rule 4); pure ASCII counts as Chinese-compatible."""
    cjk, common, ideographs = chinese_score(text)
    return cjk >= MIN_CJK and (ideographs < MIN_SCORED or common >= MIN_COMMON)


def _script_share(text: str, lo: int, hi: int, *more: tuple[int, int]) -> float:
    non_ascii = [ch for ch in text if not ch.isascii()]
    if not non_ascii:
        return 0.0
    ranges = ((lo, hi), *more)
    return sum(any(a <= ord(ch) <= b for a, b in ranges) for ch in non_ascii) / len(non_ascii)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _physical_lines(data: bytes) -> list[bytes]:
    """The file's lines, split the way the CSV reader splits them (``\\r\\n``, ``\\r`` or ``\\n``)."""
    lines = _LINE_BREAK.split(data)
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def _bad_byte(line: bytes) -> Message:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Message("reject.byte_not_utf8", byte=f"{line[exc.start]:02X}", at=exc.start + 1)
    return Message("text", detail="not UTF-8")  # pragma: no cover - only called for lines that fail


def _as_gbk(line: bytes) -> Message:
    """`` (it reads as GBK: the file mixes encodings)`` when the line is GBK Chinese, else nothing."""
    text = _strict(line, "gb18030")
    return Message("reject.reads_as_gbk" if text is not None and looks_chinese(text) else "empty")


def _first(lines: list[int], n: int = 5) -> Message:
    shown = tuple(str(x) for x in lines[:n])
    if len(lines) > n:
        return Message("load.lines_more", lines=shown, more=len(lines) - n)
    return Message("text", detail=", ".join(shown))


def _binary(data: bytes, file: str) -> None:
    """Refuse content that is no text table, saying what it is."""
    if data.startswith(_SQLITE):
        command = "sqlite3 FILE -header -csv 'select * from TABLE' > companies.csv"
        raise LoadError(Message("load.sqlite", file=file, command=command))
    if data.startswith(_ZIP):
        raise LoadError(Message("load.zip_not_csv", file=file))
    if data.startswith(_OLE2):
        raise LoadError(Message("load.ole_not_csv", file=file))
    if data.startswith(_PDF):
        raise LoadError(Message("load.pdf", file=file))
    head = data[:65536]
    if head.count(b"\x00") > len(head) // 8:
        raise LoadError(Message("load.nul_bytes", file=file))


def decode_bytes(data: bytes, file: str) -> Decoded:
    """Decode a text file's bytes by the rules above; LoadError (one line naming ``file``) when it cannot be."""
    if data.startswith(codecs.BOM_UTF8):
        text = _strict(data[len(codecs.BOM_UTF8) :], "utf-8")
        if text is not None:
            return Decoded(text, "utf-8-sig")
        return _utf8_with_bad_lines(data[len(codecs.BOM_UTF8) :], file, "utf-8-sig", bom=True)
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            text = _strict(data, encoding)
            if text is None or "\x00" in text:
                raise LoadError(Message("load.bad_bom", file=file, encoding=encoding.upper()))
            return Decoded(text, encoding)
    _binary(data, file)
    text = _strict(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8")
    return _utf8_with_bad_lines(data, file, "utf-8", bom=False)


def _utf8_with_bad_lines(data: bytes, file: str, encoding: str, *, bom: bool) -> Decoded:
    """Rule 3: a UTF-8 file with a few bad lines, a mixed file (refused), or a file in another encoding."""
    good = 0
    bad: list[int] = []
    for number, line in enumerate(_physical_lines(data), start=1):
        text = _strict(line, "utf-8")
        if text is None:
            bad.append(number)
        elif not text.isascii() and looks_chinese(text) and any(_is_ideograph(c) for c in text):
            good += 1
    if good and len(bad) <= good:
        lines = _physical_lines(data)
        reasons: dict[int, str] = {
            n: Message("reject.bad_bytes", line=n, problem=_bad_byte(lines[n - 1]), gbk=_as_gbk(lines[n - 1]))
            for n in bad
        }
        return Decoded(data.decode("utf-8", errors="replace"), encoding, reasons)
    if good:
        raise LoadError(Message("load.mixed", file=file, lines=_first(bad), good=f"{good:,}"))
    if bom:
        raise LoadError(Message("load.bom_not_utf8", file=file, lines=_first(bad)))
    return _legacy(data, file, bad)


def _legacy(data: bytes, file: str, not_utf8: list[int]) -> Decoded:
    """Rule 4 and 5: GB18030, then Big5, when the result reads as Chinese; Korean and Japanese named."""
    text = _strict(data, "gb18030")
    if text is not None and looks_chinese(text):
        return Decoded(text, "gb18030")
    big5 = _strict(data, "big5hkscs")
    if big5 is not None and looks_chinese(big5):
        return Decoded(big5, "big5hkscs")
    korean = _strict(data, "euc_kr")
    if korean is not None and _script_share(korean, 0xAC00, 0xD7A3, (0x3130, 0x318F)) >= 0.5:
        raise LoadError(Message("load.korean", file=file))
    japanese = _strict(data, "shift_jis")
    if japanese is not None and _script_share(japanese, 0x3040, 0x30FF, (0xFF66, 0xFF9F)) >= 0.05:
        raise LoadError(Message("load.japanese", file=file))
    for utf16 in ("utf-16-le", "utf-16-be"):
        wide = _strict(data, utf16)
        if wide is not None and "\n" in wide and ("," in wide or "\t" in wide) and looks_chinese(wide):
            raise LoadError(Message("load.utf16", file=file))
    if text is None:
        lines = _physical_lines(data)
        broken = [n for n, line in enumerate(lines, start=1) if _strict(line, "gb18030") is None]
        raise LoadError(
            Message("load.neither", file=file, line=not_utf8[0], gbk_line=broken[0] if broken else not_utf8[0])
        )
    raise LoadError(Message("load.not_chinese", file=file, line=not_utf8[0]))
