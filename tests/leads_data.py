"""Hand-built operational data and lead candidates for the lead-store tests.

Two branches in Suzhou: 苏州分行 covers the city (3205) and 工业园区支行 the
park district (320571, more specific). A third branch, 南京分行, covers 3201.
USCC-like keys carry the region code in characters 3–8.
"""

from __future__ import annotations

import pandas as pd

from loaders.ops_data import OPS_COLUMNS, LeadCandidate, OpsData


def company(region: str, n: int) -> str:
    """An 18-character company key in ``region`` (not a valid USCC check digit: the store does not check it)."""
    return f"91{region}MA{n:08d}"


def frame(name: str, rows: list[tuple[object, ...]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(OPS_COLUMNS[name]), dtype=object)


C1 = company("320571", 1)  # park district
C2 = company("320505", 2)  # Suzhou city
C3 = company("320102", 3)  # Nanjing
C4 = company("440300", 4)  # Shenzhen: no branch


def sample_ops() -> OpsData:
    """A small, complete set of operational tables."""
    return OpsData(
        events=frame(
            "events",
            [
                (
                    "e1",
                    C1,
                    "中标政府项目",
                    "2026-11-02",
                    1.2e7,
                    "ccgp",
                    "中标某市政工程",
                    "新增项目",
                    "保函|项目贷款",
                    "A",
                ),
                ("e2", C2, "注册资本增加", "2026-10-15", None, "gsxt", "注册资本增至5000万", "投融资并购", "存款", "B"),
                ("e3", C3, "新设子公司", "2026-12-01", None, "gsxt", '=HYPERLINK("x")', "新增机构", "开户|代发", "B"),
                ("e4", C4, "担保到期", "2026-09-30", 3e6, "bank", "担保到期", "融资担保到期", "授信续作", "C"),
            ],
        ),
        tags=frame("tags", [(C1, "专精特新", "2025-01-01"), (C1, "高新技术企业", None), (C2, "上市", None)]),
        chains=frame(
            "chains",
            [
                ("集成电路", "设计", "上游", None),
                ("集成电路", "制造", "中游", None),
                ("集成电路", "封测", "下游", None),
            ],
        ),
        memberships=frame("memberships", [(C1, "集成电路", "设计"), (C2, "集成电路", "制造")]),
        branches=frame(
            "branches",
            [
                ("苏州分行", "3205", "王芳", 10),
                ("苏州分行", "3205", "李强", 5),
                ("工业园区支行", "320571", "赵敏", 3),
                ("工业园区支行", "320571", "钱进", 3),
                ("南京分行", "3201", "孙丽", None),
            ],
        ),
        outcomes=frame("outcomes", [(C2, "存款", "2025-06-01", "won"), (C3, "保函", "2025-07-01", "lost")]),
    )


def candidate(
    key: str,
    score: float = 70.0,
    *,
    name: str | None = None,
    events: tuple[str, ...] = (),
    client_manager: str | None = None,
    client_branch: str | None = None,
    introducer: str | None = None,
    introducer_manager: str | None = None,
    introducer_branch: str | None = None,
    warmth: float | None = None,
) -> LeadCandidate:
    """A scored candidate with what distribution reads."""
    region = key[2:8] if len(key) == 18 and key[2:8].isdigit() else None
    return LeadCandidate(
        company=key,
        name=name or f"测试企业{key[-4:]}",
        region_code=region,
        is_client=client_manager is not None,
        score=score,
        tier="优质" if score >= 80 else ("良好" if score >= 60 else "一般"),
        client_manager=client_manager,
        client_branch=client_branch,
        event_ids=events,
        products=("开户", "存款"),
        breakdown=(("tags", 20.0), ("events", score - 20.0)),
        introducer=introducer,
        introducer_manager=introducer_manager,
        introducer_branch=introducer_branch,
        path_text=None if introducer is None else f"{introducer} 的董事长任潜客董事",
        path_warmth=warmth,
    )
