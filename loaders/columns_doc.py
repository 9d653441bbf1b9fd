"""The input-file column reference, written from the schema (for the README).

python -m loaders.columns_doc > docs/columns.md
"""

from __future__ import annotations

from graph.schema import PropertySpec, Schema, load_schema


def _row(column: str, spec: PropertySpec | None, headers: tuple[str, ...], note: str = "") -> str:
    type_ = spec.type if spec else "key"
    required = "yes" if (spec is None or spec.required) else ""
    accepted = ", ".join(h for h in headers if h != column)
    if spec is not None and spec.values:
        note = (
            (note + " " if note else "")
            + "values: "
            + "; ".join(f"{k} ({'/'.join(v[:3])})" if v else k for k, v in spec.values.items())
        )
    return f"| `{column}` | {type_} | {required} | {accepted} | {note} |"


def columns_markdown(schema: Schema | None = None) -> str:
    """Markdown tables: one per input file, each column with its type and accepted headers."""
    s = schema or load_schema()
    out: list[str] = []
    head = ["| column | type | required | also accepted as header | notes |", "|---|---|---|---|---|"]
    for label in s.labels.values():
        out += [f"#### `{label.file}.csv` — {label.name} ({label.zh}), key `{label.key}`", "", *head]
        out += [_row(p.name, p, p.headers) for p in label.properties.values()]
        out.append("")
    for kind in s.kinds.values():
        src, dst = kind.source, kind.target
        out += [
            f"#### `{kind.file}.csv` — {kind.type} ({kind.kind}, {kind.zh}): "
            f"{'/'.join(src.labels)} → {'/'.join(dst.labels)}",
            "",
            *head,
            _row(src.column, None, src.headers, f"key of the {'/'.join(src.labels)}"),
        ]
        if src.type_column:
            out.append(
                f"| `{src.type_column}` | text |  | {', '.join(src.type_headers[1:])} | 企业/Company or 自然人/Person |"
            )
        out.append(_row(dst.column, None, dst.headers, f"key of the {'/'.join(dst.labels)}"))
        out += [_row(p.name, p, p.headers) for p in kind.properties.values()]
        out.append("")
    out += [f"#### `{s.clients.file}.csv` — the bank's clients ({s.clients.zh}); USCC or name", "", *head]
    out += [_row(p.name, p, p.headers) for p in s.clients.properties.values()]
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(columns_markdown(), end="")
