"""The cell parsers of loaders.values: one per property type in schema.yaml."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.schema import load_schema
from graph.warmth import load_weights
from loaders.values import (
    MAX_AMOUNT,
    control_problem,
    is_blank,
    mask_idno,
    mask_text,
    parse_amount,
    parse_bool,
    parse_date,
    parse_enum,
    parse_int,
    parse_key,
    parse_label,
    parse_list,
    parse_name,
    parse_ratio,
    parse_role,
    parse_text,
    parse_uscc,
    parse_year,
    parser_for,
    unit_factor,
)

SCHEMA = load_schema()
ROLE = SCHEMA.kind("SERVES_AS").properties["role"]
STATUS = SCHEMA.label("Company").properties["status"]
ROLE_ORDER = tuple(load_weights().by_role)


# -- blanks and text ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cell", [None, "", "   ", "\u3000", float("nan"), pd.NA, pd.NaT, np.nan])
def test_blank_cells_are_missing(cell: object) -> None:
    assert is_blank(cell)


@pytest.mark.parametrize("cell", ["0", "否", 0, 0.0, False, "N"])
def test_values_that_look_empty_are_not_blank(cell: object) -> None:
    assert not is_blank(cell)


def test_text_strips_and_collapses_whitespace_including_full_width() -> None:
    assert parse_text("  上海\u3000\u3000某芯 \t 科技\n") == "上海 某芯 科技"
    assert parse_key(" p000123 ") == "p000123"


def test_every_parser_refuses_a_blank_cell() -> None:
    for parse in (parse_text, parse_uscc, parse_ratio, parse_amount, parse_int, parse_date, parse_bool, mask_idno):
        with pytest.raises(ValueError, match="empty"):
            parse(" ")


# -- uscc -----------------------------------------------------------------------------------------------------------
def test_uscc_is_normalised_and_checked() -> None:
    assert parse_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert parse_uscc("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"
    with pytest.raises(ValueError, match="check character"):
        parse_uscc("91350100M000100Y44")
    with pytest.raises(ValueError, match="18 characters"):
        parse_uscc("12345")


# -- ratio ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("35%", 0.35),
        ("35", 0.35),
        ("0.35", 0.35),
        ("35.5％", 0.355),
        ("35.5 %", 0.355),
        ("100", 1.0),
        ("100%", 1.0),
        ("1", 1.0),
        ("0", 0.0),
        ("0.5", 0.5),
        ("0.5%", 0.005),
        ("５０％", 0.5),
        ("2‰", 0.002),
        (0.25, 0.25),
        (60, 0.6),
    ],
)
def test_ratio(cell: object, expected: float) -> None:
    assert parse_ratio(cell) == expected


def test_ratio_under_a_percent_header_reads_plain_numbers_as_percent() -> None:
    assert parse_ratio("0.5", percent=True) == 0.005
    assert parse_ratio("35", percent=True) == 0.35
    assert parse_ratio("35%", percent=True) == 0.35
    assert parser_for(SCHEMA.kind("HOLDS_SHARES").properties["ratio"], unit="%")("1") == 0.01


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("150", "more than 100%"),
        ("101%", "more than 100%"),
        ("-5%", "negative"),
        ("abc", "not a ratio"),
        ("3.5.1", "not a ratio"),
    ],
)
def test_ratio_errors(cell: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_ratio(cell)


@given(st.decimals(min_value=0, max_value=100, places=3, allow_nan=False, allow_infinity=False))
def test_ratio_percent_round_trip(percent: Decimal) -> None:
    assert parse_ratio(f"{percent}%") == float(percent / 100)
    assert parse_ratio(f"{percent}％") == float(percent / 100)


@given(st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False))
def test_ratio_fraction_round_trip(fraction: Decimal) -> None:
    assert parse_ratio(str(fraction)) == float(fraction)


@given(st.decimals(min_value=Decimal("1.01"), max_value=100, places=2, allow_nan=False, allow_infinity=False))
def test_ratio_plain_number_above_one_is_percent(percent: Decimal) -> None:
    assert parse_ratio(str(percent)) == float(percent / 100)


# -- amount ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1,200,000", 1_200_000.0),
        ("120万", 1_200_000.0),
        ("1.2亿", 120_000_000.0),
        ("¥3000", 3000.0),
        ("￥3,000", 3000.0),
        ("3000元", 3000.0),
        ("1.5万元", 15_000.0),
        ("12,000.50", 12_000.5),
        ("人民币500万元", 5_000_000.0),
        ("RMB 1000", 1000.0),
        ("0", 0.0),
        (1200000.0, 1_200_000.0),
        ("2千万", 20_000_000.0),
    ],
)
def test_amount(cell: object, expected: float) -> None:
    assert parse_amount(cell) == expected


def test_amount_header_unit_applies_to_plain_numbers_only() -> None:
    assert parse_amount("50", unit=10_000) == 500_000.0
    assert parse_amount("50元", unit=10_000) == 50.0
    assert parse_amount("1亿", unit=10_000) == 100_000_000.0
    assert unit_factor("万元") == 10_000
    assert unit_factor("亿元") == 100_000_000
    assert unit_factor("元") == 1
    assert parser_for(SCHEMA.label("Company").properties["registered_capital"], unit="万元")("1,000") == 10_000_000.0


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("-3000", "negative"),
        ("-1.5万", "negative"),
        ("(3000)", "negative"),
        ("100万美元", "not in yuan"),
        ("USD 300", "not in yuan"),
        ("abc", "not an amount"),
        ("1,2", "not an amount"),
        ("万", "not an amount"),
    ],
)
def test_amount_errors(cell: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_amount(cell)


@given(st.integers(min_value=0, max_value=10**7))
def test_amount_round_trip(n: int) -> None:
    assert parse_amount(f"{n:,}") == float(n)
    assert parse_amount(f"¥{n}") == float(n)
    assert parse_amount(f"{n}元") == float(n)
    assert parse_amount(f"{n}万") == float(n * 10_000)
    assert parse_amount(f"{n}亿") == float(n * 100_000_000)


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False))
def test_amount_decimal_round_trip(d: Decimal) -> None:
    assert parse_amount(f"{d:,}") == float(d)
    assert parse_amount(f"{d}万元") == float(d * 10_000)


# -- int, date, bool ------------------------------------------------------------------------------------------------
def test_int() -> None:
    assert parse_int("2021") == 2021
    assert parse_int("2021.0") == 2021
    assert parse_int("1,234") == 1234
    assert parse_int("2021年") == 2021
    assert parse_int("12笔") == 12
    assert parse_int(7.0) == 7
    with pytest.raises(ValueError, match="whole number"):
        parse_int("12.5")
    with pytest.raises(ValueError, match="whole number"):
        parse_int("x")


@pytest.mark.parametrize(
    "cell",
    [
        "2021-03-05",
        "2021/3/5",
        "2021年3月5日",
        "20210305",
        "2021.3.5",
        "2021-03-05 00:00:00",
        "2021-3-5T08:30",
        "２０２１年３月５日",
        20210305,
        dt.date(2021, 3, 5),
        dt.datetime(2021, 3, 5, 23, 59),
        pd.Timestamp("2021-03-05"),
    ],
)
def test_date(cell: object) -> None:
    assert parse_date(cell) == "2021-03-05"


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("2021-02-30", "no such date"),
        ("2021-13-01", "no such date"),
        ("2021", "not a date"),
        ("3/5/2021", "not a date"),
        ("0021-01-01", "out of range"),
        ("yesterday", "not a date"),
    ],
)
def test_date_errors(cell: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_date(cell)


@given(st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2199, 12, 31)))
def test_date_round_trip(day: dt.date) -> None:
    iso = day.isoformat()
    assert parse_date(iso) == iso
    assert parse_date(f"{day.year}/{day.month}/{day.day}") == iso
    assert parse_date(f"{day.year}年{day.month}月{day.day}日") == iso
    assert parse_date(day.strftime("%Y%m%d")) == iso
    assert parse_date(pd.Timestamp(day)) == iso


@pytest.mark.parametrize("cell", ["true", "TRUE", "是", "Y", "y", "1", "yes", "Yes", 1, 1.0, "1.0", "√"])
def test_bool_true(cell: object) -> None:
    assert parse_bool(cell) is True


@pytest.mark.parametrize("cell", ["false", "False", "否", "N", "n", "0", "no", "NO", 0, "0.0"])
def test_bool_false(cell: object) -> None:
    assert parse_bool(cell) is False


def test_bool_error() -> None:
    with pytest.raises(ValueError, match="not yes or no"):
        parse_bool("maybe")


# -- list -----------------------------------------------------------------------------------------------------------
def test_list_splits_on_every_separator() -> None:
    assert parse_list("a;b；c,d，e、f|g") == ("a", "b", "c", "d", "e", "f", "g")
    assert parse_list(" 集成电路 ； 人工智能 ；；") == ("集成电路", "人工智能")
    assert parse_list("x、x、y") == ("x", "y")
    assert parse_list("；、") == ()


# -- enum and role --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("存续", "active"),
        ("active", "active"),
        ("ACTIVE", "active"),
        ("在业", "active"),
        ("吊销，未注销", "revoked"),
        ("吊销,未注销", "revoked"),
        ("存续(在营、开业、在册)", "active"),
        ("注销", "deregistered"),
    ],
)
def test_enum(cell: str, expected: str) -> None:
    assert parse_enum(cell, STATUS) == expected


def test_enum_error_lists_known_values() -> None:
    with pytest.raises(ValueError, match=r"unknown status '休眠'; known: active \(存续"):
        parse_enum("休眠", STATUS)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("执行董事兼总经理", "chairman"),
        ("董事长、总经理", "chairman"),
        ("董事/总经理", "general_manager"),
        ("董事，监事", "director"),
        ("监事", "supervisor"),
        ("法定代表人兼董事长", "legal_representative"),
        ("董事长兼党委书记", "chairman"),
        ("副总经理", "executive"),
        ("Legal Representative", "legal_representative"),
        ("董事 兼 财务负责人", "director"),
    ],
)
def test_role_keeps_the_warmest_known_part(cell: str, expected: str) -> None:
    assert parse_role(cell, ROLE, ROLE_ORDER) == expected


def test_role_follows_the_warmth_order_given() -> None:
    assert parse_role("董事/总经理", ROLE, ["director", "general_manager"]) == "director"


def test_unknown_role_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown role '党委书记'; known: legal_representative"):
        parse_role("党委书记", ROLE, ROLE_ORDER)


def test_parser_for_role_uses_role_order() -> None:
    assert parser_for(ROLE, role_order=ROLE_ORDER)("执行董事兼总经理") == "chairman"
    with pytest.raises(ValueError, match="unknown role"):
        parser_for(ROLE)("执行董事兼总经理")  # without an order, only whole titles


# -- idno -----------------------------------------------------------------------------------------------------------
def test_idno_is_masked() -> None:
    assert mask_idno("11010519491231002X") == "110105********002X"
    assert mask_idno("11010519491231002x") == "110105********002X"
    assert mask_idno("110105491231002") == "110105*****1002"
    assert mask_idno("E12345678") == "E1*****78"


def test_idno_errors_never_show_the_full_number() -> None:
    with pytest.raises(ValueError, match="check digit") as info:
        mask_idno("110105194912310021")
    assert "110105194912310021" not in str(info.value)
    assert "110105********0021" in str(info.value)
    with pytest.raises(ValueError, match="17 digits") as info:
        mask_idno("11010519491231002")
    assert "11010519491231002" not in str(info.value)
    assert mask_text("1234567") == "12***67"


# -- endpoint type --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("企业", "Company"),
        ("公司", "Company"),
        ("法人", "Company"),
        ("Company", "Company"),
        ("企业法人", "Company"),
        ("非自然人", "Company"),
        ("自然人", "Person"),
        ("个人", "Person"),
        ("person", "Person"),
        ("自然人股东", "Person"),
    ],
)
def test_label(cell: str, expected: str) -> None:
    assert parse_label(cell, ["Company", "Person"]) == expected


def test_label_errors() -> None:
    with pytest.raises(ValueError, match="unknown type '外星人'"):
        parse_label("外星人", ["Company", "Person"])
    with pytest.raises(ValueError, match="means Person, which is not allowed"):
        parse_label("自然人", ["Company"])


# -- values that must be rejects, not crashes or nonsense (issue 11) --------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "says"),
    [
        ("9" * 400, "too long for an amount"),
        ("9" * 16, "more than"),
        ("1e400", "more than"),
        ("1e99999999", "not an amount"),
        ("inf", "not an amount"),
        ("Infinity", "not an amount"),
        ("nan", "not an amount"),
        ("10²", "not an amount"),
        ("١٢٣", "not an amount"),
        ("2000万亿", "more than"),
    ],
)
def test_amounts_out_of_reason_are_refused(cell: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_amount(cell)


def test_the_largest_amount_is_exact() -> None:
    assert parse_amount("1000万亿") == float(MAX_AMOUNT) and parse_amount(str(MAX_AMOUNT)) == float(MAX_AMOUNT)


@pytest.mark.parametrize("cell", ["1" * 10_000, "1e400", "nan", "inf%"])
def test_ratios_out_of_reason_are_refused(cell: str) -> None:
    with pytest.raises(ValueError):
        parse_ratio(cell)


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        ("99999999999999999999", "64-bit"),
        ("-5", "negative"),
        ("2" * 5000, "too long"),
        ("1e30", "64-bit"),
    ],
)
def test_whole_numbers_fit_int64_and_are_not_negative(cell: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_int(cell)
    assert parse_int("-5", signed=True) == -5
    assert parse_int(str(2**63 - 1)) == 2**63 - 1


@pytest.mark.parametrize("cell", ["-2021", "99999", "0", "2" * 5000])
def test_years_are_calendar_years(cell: str) -> None:
    with pytest.raises(ValueError):
        parse_year(cell)
    assert parser_for(SCHEMA.kind("SUPPLIES").properties["year"])("2021") == 2021


@pytest.mark.parametrize(
    "cell", ["2021-03-05 25:99", "2021-03-05 12:60", "2021-03-05 23:59:60", "0000-01-01", "-2021-01-01", "2" * 5000]
)
def test_impossible_dates_and_times_are_refused(cell: str) -> None:
    with pytest.raises(ValueError):
        parse_date(cell)
    assert parse_date("2021-03-05 23:59:59") == "2021-03-05"


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u202e", "\u2066"])
def test_control_characters_are_refused_in_names_keys_text_and_lists(char: str) -> None:
    for parse in (parse_name, parse_key, parse_text, parse_list):
        with pytest.raises(ValueError, match="control character"):
            parse(f"上海{char}某芯")


def test_tabs_and_line_breaks_fold_in_free_text_but_not_in_names() -> None:
    assert parse_text("集成\t电路\n设计") == "集成 电路 设计"
    with pytest.raises(ValueError, match="tabs or line breaks"):
        parse_name("上海\n某芯")
    assert control_problem("a\rb", name=False) is None


def test_length_limits() -> None:
    assert parse_name("长" * 1000) == "长" * 1000
    with pytest.raises(ValueError, match="1,001 characters long; the limit is 1,000"):
        parse_name("长" * 1001)
    with pytest.raises(ValueError, match="the limit is 4,000"):
        parse_text("x" * 4001)
    with pytest.raises(ValueError, match="the limit is 1,000"):
        parse_list("a;" * 600)
    with pytest.raises(ValueError, match="too long"):
        mask_idno("1" * 50)
    assert parser_for(SCHEMA.label("Company").properties["name"])(" 上海 ") == "上海"


@given(st.text(max_size=60))
def test_number_parsers_only_raise_value_error(cell: str) -> None:
    for parse in (parse_amount, parse_ratio, parse_int, parse_date, parse_year):
        try:
            value = parse(cell)
        except ValueError:
            continue
        if isinstance(value, float):
            assert value == value and abs(value) <= MAX_AMOUNT
