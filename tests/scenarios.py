"""Hand-built graphs with known answers, shared by the tests of every store."""

from __future__ import annotations

from pathlib import Path

from graph.embedded import EmbeddedStore
from graph.uscc import check_char
from tests.reference import RawGraph


def uscc(i: int, prefix: str = "91320500MA") -> str:
    """A valid USCC numbered ``i``."""
    body = f"{prefix}{i:0{17 - len(prefix)}d}"
    return body + check_char(body)


def saved_generated(base: Path, companies: int, seed: int) -> tuple[EmbeddedStore, Path]:
    """A store loaded from a generated data set (every kind) under ``base``, and the file it was saved to."""
    from loaders.generate import generate
    from loaders.pipeline import load_files

    generate(base / "data", companies=companies, seed=seed)
    store = EmbeddedStore()
    load_files(store, base / "data")
    file = base / "graph.gx"
    store.save(file)
    return store, file


def introductions_graph() -> RawGraph:
    """A prospect reachable five ways: officer, equity, supply, guarantee, park; plus traps.

    * 张某 is chairman of client 上海某芯科技 and a director of the prospect.
    * client 无锡华控集团 holds 30% of the prospect.
    * client 昆山精密 supplies the prospect ¥1.2亿 a year.
    * client 常州担保实业 guarantees the prospect's loans (¥5000万).
    * client 园区伙伴 shares 苏州工业园区 with the prospect (a cold path).
    * client 吊销壳公司 (revoked) holds 60%: excluded by default.
    * 黑名单人 (black-listed) is chairman of client 黑链客户 and a director of the prospect: excluded.
    """
    g = RawGraph()
    prospect = g.add_company(uscc(1), "苏州某源半导体有限公司", industry="集成电路")
    chip = g.add_company(uscc(2), "上海某芯科技有限公司", is_client=True, manager="王芳", branch="上海分行")
    group = g.add_company(uscc(3), "无锡华控集团有限公司", is_client=True, manager="李强", branch="无锡分行")
    supplier = g.add_company(uscc(4), "昆山精密机械有限公司", is_client=True, manager="王芳", branch="上海分行")
    guarantor = g.add_company(uscc(5), "常州担保实业有限公司", is_client=True, manager="赵磊", branch="常州分行")
    neighbour = g.add_company(uscc(6), "园区伙伴科技有限公司", is_client=True, manager="李强", branch="无锡分行")
    shell = g.add_company(uscc(7), "吊销壳公司", status="revoked", is_client=True, manager="王芳")
    dark_client = g.add_company(uscc(8), "黑链客户有限公司", is_client=True, manager="王芳")
    zhang = g.add_person("p1", "张某")
    dark = g.add_person("p2", "黑名单人", blacklisted=True)
    park = g.add_park("k1", "苏州工业园区", industries="集成电路;生物医药")
    g.add_edge("SERVES_AS", zhang, chip, role="chairman", role_text="董事长")
    g.add_edge("SERVES_AS", zhang, prospect, role="director", role_text="董事")
    g.add_edge("HOLDS_SHARES", group, prospect, ratio=0.3)
    g.add_edge("SUPPLIES", supplier, prospect, amount=120_000_000.0, year=2024)
    g.add_edge("GUARANTEES", guarantor, prospect, amount=50_000_000.0, start="2024-01-01")
    g.add_edge("LOCATED_IN", prospect, park)
    g.add_edge("LOCATED_IN", neighbour, park)
    g.add_edge("HOLDS_SHARES", shell, prospect, ratio=0.6)
    g.add_edge("SERVES_AS", dark, dark_client, role="chairman")
    g.add_edge("SERVES_AS", dark, prospect, role="director")
    return g
