"""Numbers, money and labels as a Chinese or English reader expects them.

>>> money(120_000_000, "zh"), money(50_000_000, "zh"), money(8_000, "zh")
('¥1.2亿', '¥5000万', '¥8000')
>>> money(120_000_000, "en"), money(1_500_000, "en")
('¥120m', '¥1.5m')
>>> percent(0.355)
'35.5%'
"""

from __future__ import annotations

from typing import Any, Literal

Lang = Literal["zh", "en"]

ROLE = {
    "legal_representative": ("法定代表人", "legal representative"),
    "chairman": ("董事长", "chairman"),
    "general_manager": ("总经理", "general manager"),
    "director": ("董事", "a director"),
    "executive": ("高管", "an executive"),
    "supervisor": ("监事", "a supervisor"),
    "other": ("任职人员", "an officer"),
}

STATUS = {
    "active": ("存续", "active"),
    "moved_out": ("迁出", "moved out"),
    "suspended": ("停业", "suspended"),
    "liquidating": ("清算", "in liquidation"),
    "revoked": ("吊销", "licence revoked"),
    "deregistered": ("注销", "deregistered"),
}

KIND = {
    "HOLDS_SHARES": ("股权", "equity"),
    "SERVES_AS": ("任职", "officer"),
    "SUPPLIES": ("供应链", "supply chain"),
    "GUARANTEES": ("担保", "guarantee"),
    "LOCATED_IN": ("园区", "park"),
}


def _trim(x: float) -> str:
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def money(amount: Any, lang: Lang = "zh") -> str:
    """An amount in yuan, short: 亿/万 in Chinese, m/k in English."""
    if amount is None:
        return "?"
    value = float(amount)
    if lang == "zh":
        if abs(value) >= 1e8:
            return f"¥{_trim(value / 1e8)}亿"
        if abs(value) >= 1e4:
            return f"¥{_trim(value / 1e4)}万"
        return f"¥{_trim(value)}"
    if abs(value) >= 1e9:
        return f"¥{_trim(value / 1e9)}bn"
    if abs(value) >= 1e6:
        return f"¥{_trim(value / 1e6)}m"
    if abs(value) >= 1e3:
        return f"¥{_trim(value / 1e3)}k"
    return f"¥{_trim(value)}"


def percent(ratio: Any) -> str:
    """A ratio in 0..1 as a percentage with at most two decimals."""
    if ratio is None:
        return "?%"
    return f"{_trim(float(ratio) * 100)}%"


def role(code: Any, lang: Lang = "zh") -> str:
    """The name of an officer role."""
    zh, en = ROLE.get(str(code), (str(code), str(code)))
    return zh if lang == "zh" else en


def status(code: Any, lang: Lang = "zh") -> str:
    """The name of a registration status."""
    zh, en = STATUS.get(str(code), (str(code), str(code)))
    return zh if lang == "zh" else en


def kind(type_: str, lang: Lang = "zh") -> str:
    """The name of a relationship kind."""
    zh, en = KIND.get(type_, (type_, type_))
    return zh if lang == "zh" else en
