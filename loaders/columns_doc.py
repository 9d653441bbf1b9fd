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
        if spec.fallback:
            note += f"; any other: {spec.fallback}, kept as written and listed in the report"
    if spec is not None:
        rules = [
            *([f"at least {spec.min:g}"] if spec.min is not None else []),
            *([f"at most {spec.max:g}"] if spec.max is not None else []),
            *([f"not before `{spec.after}` (else both dropped)"] if spec.after else []),
            *([f"warns when a company's holders sum over {spec.warn_sum_over * 100:g}%"] if spec.warn_sum_over else []),
        ]
        if rules:
            note = (note + "; " if note else "") + "; ".join(rules)
    return f"| `{column}` | {type_} | {required} | {accepted} | {note} |"


def _schemes(s: Schema) -> list[str]:
    """The identifier schemes a company without a USCC is keyed by."""
    out = [
        "Companies without a USCC are keyed `SCHEME:VALUE` by the first of these they have: "
        "stock code, LEI, other registry number (`other_id` with `id_scheme`), else the name "
        "(a bare 6-digit mainland stock code is placed on its exchange by its leading digits). "
        "A row with a USCC and other identifiers is one company holding them all (`identifiers`); "
        "relationship rows and search may name it by any of them.",
        "",
        "| scheme | what | written as |",
        "|---|---|---|",
    ]
    for code, spec in s.schemes.items():
        if spec.kind == "exchange":
            forms = [f"`{code}:CODE`", *(f"`CODE.{x}`" for x in spec.suffixes), *(f"`{x}CODE`" for x in spec.prefixes)]
            if spec.digits:
                forms.append(f"{spec.digits} digits")
        elif spec.kind == "registry":
            forms = [f"`{code}:NUMBER`", *(f"id_scheme {a}" for a in spec.aliases[:4])]
        else:
            forms = [f"`{code}:` + the name without blanks, half-width, lower case"]
        out.append(f"| `{code}` | {spec.en} ({spec.zh}) | {', '.join(forms)} |")
    out.append(
        "| *country code* | a foreign registry | `GB-COH:01234567`, `KY:123456` (ISO 3166 code, optionally -REGISTRY) |"
    )
    return out


def columns_markdown(schema: Schema | None = None) -> str:
    """Markdown tables: one per input file, each column with its type and accepted headers."""
    s = schema or load_schema()
    out: list[str] = []
    head = ["| column | type | required | also accepted as header | notes |", "|---|---|---|---|---|"]
    for label in s.labels.values():
        key = f"key `{label.key}`"
        if label.key_from:
            key += f" = the first of {', '.join(f'`{c}`' for c in label.key_from)}"
        out += [f"#### `{label.file}.csv` — {label.name} ({label.zh}), {key}", "", *head]
        out += [_row(p.name, p, p.headers) for p in label.columns.values()]
        out.append("")
        if label.key_from:
            out += [*_schemes(s), ""]
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
        former = "set: a former tie (history: weaker, not counted as current)"
        out += [_row(p.name, p, p.headers, former if p.name == kind.former else "") for p in kind.properties.values()]
        out.append("")
    out += [f"#### `{s.clients.file}.csv` — the bank's clients ({s.clients.zh}); USCC or name", "", *head]
    out += [_row(p.name, p, p.headers) for p in s.clients.properties.values()]
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(columns_markdown(), end="")
