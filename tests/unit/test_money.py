"""Reading and showing amounts: crm.values.money."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import set_language
from crm.values.money import (
    CURRENCIES,
    Money,
    format_money,
    format_yi,
    parse_amount,
    to_wan,
    to_yi,
    unit_from_label,
)

D = Decimal
YI = D(10) ** 8
WAN = D(10) ** 4


@pytest.mark.parametrize(
    "text, amount, currency, approximate",
    [
        ("1.8亿美元", D(180_000_000), "USD", False),
        ("25亿元", D(2_500_000_000), "CNY", False),
        ("117亿余元", D(11_700_000_000), "CNY", True),
        ("117亿多元", D(11_700_000_000), "CNY", True),
        ("117余亿元", D(11_700_000_000), "CNY", True),
        ("4565万元", D(45_650_000), "CNY", False),
        ("6.71亿", D(671_000_000), "CNY", False),
        ("6.71亿元", D(671_000_000), "CNY", False),
        ("8000万", D(80_000_000), "CNY", False),
        ("２５亿元", D(2_500_000_000), "CNY", False),
        ("１．８亿美元", D(180_000_000), "USD", False),
        ("3,000,000元", D(3_000_000), "CNY", False),
        ("3，000，000元", D(3_000_000), "CNY", False),
        ("USD 180 million", D(180_000_000), "USD", False),
        ("$180M", D(180_000_000), "USD", False),
        ("$180m", D(180_000_000), "USD", False),
        ("US$1.8 billion", D(1_800_000_000), "USD", False),
        ("1.8亿 USD", D(180_000_000), "USD", False),
        ("1.8 亿美元", D(180_000_000), "USD", False),
        ("1.8 亿 美元", D(180_000_000), "USD", False),
        ("¥25亿", D(2_500_000_000), "CNY", False),
        ("￥25亿", D(2_500_000_000), "CNY", False),
        ("RMB 2.5 billion", D(2_500_000_000), "CNY", False),
        ("CNY 2.5bn", D(2_500_000_000), "CNY", False),
        ("300万美元", D(3_000_000), "USD", False),
        ("12.5", D("12.5"), "CNY", False),
        ("1.2万亿元", D(1_200_000_000_000), "CNY", False),
        ("3千万元", D(30_000_000), "CNY", False),
        ("5百万美元", D(5_000_000), "USD", False),
        ("50k USD", D(50_000), "USD", False),
        ("2 thousand EUR", D(2_000), "EUR", False),
        ("EUR 3 mn", D(3_000_000), "EUR", False),
        ("€3m", D(3_000_000), "EUR", False),
        ("5000万欧元", D(50_000_000), "EUR", False),
        ("10亿港元", D(1_000_000_000), "HKD", False),
        ("10亿港币", D(1_000_000_000), "HKD", False),
        ("HK$ 10 bn", D(10_000_000_000), "HKD", False),
        ("HKD 1 billion", D(1_000_000_000), "HKD", False),
        ("100亿日元", D(10_000_000_000), "JPY", False),
        ("JPY 1 billion", D(1_000_000_000), "JPY", False),
        ("2亿英镑", D(200_000_000), "GBP", False),
        ("£2m", D(2_000_000), "GBP", False),
        ("GBP 2 million", D(2_000_000), "GBP", False),
        ("人民币25亿元", D(2_500_000_000), "CNY", False),
        ("25亿元人民币", D(2_500_000_000), "CNY", False),
        ("1.8亿美金", D(180_000_000), "USD", False),
        ("约25亿元", D(2_500_000_000), "CNY", True),
        ("about CNY 11,700 million", D(11_700_000_000), "CNY", True),
        ("CNY 11,778.54 million", D(11_778_540_000), "CNY", False),
        ("5,000元", D(5_000), "CNY", False),
        ("0.01元", D("0.01"), "CNY", False),
        ("0.0000000001亿", D("0.01"), "CNY", False),
        ("1.500元", D("1.5"), "CNY", False),
        ("  25亿元  ", D(2_500_000_000), "CNY", False),
        ("10万亿元", D(10) ** 13, "CNY", False),
    ],
)
def test_parse_amount_accepts(text, amount, currency, approximate):
    money = parse_amount(text)
    assert money == Money(amount, currency, approximate)
    assert money.amount == money.amount.quantize(D("0.01"))
    assert money.amount.as_tuple().exponent == -2


def test_plain_number_takes_the_column_defaults():
    assert parse_amount("12.5", default_multiplier=YI) == Money(D(1_250_000_000), "CNY")
    assert parse_amount("300", "USD", WAN) == Money(D(3_000_000), "USD")
    assert parse_amount("12.5", default_multiplier=10**8) == Money(D(1_250_000_000), "CNY")


def test_explicit_unit_or_currency_overrides_the_column_defaults():
    # A cell that says what it is means exactly that, whatever the header says.
    assert parse_amount("4565万元", default_multiplier=YI) == Money(D(45_650_000), "CNY")
    assert parse_amount("6.71亿", "USD", WAN) == Money(D(671_000_000), "USD")
    assert parse_amount("3,000,000元", default_multiplier=YI) == Money(D(3_000_000), "CNY")


def test_a_currency_sign_before_the_number_names_only_the_currency():
    # ￥1,200 in a 万元 column is 1200万元: the sign says which money, the header how much of it.
    assert parse_amount("￥1,200", default_multiplier=WAN) == Money(D(12_000_000), "CNY")
    assert parse_amount("人民币1200", default_multiplier=WAN) == Money(D(12_000_000), "CNY")
    assert parse_amount("US$1,200", default_multiplier=WAN) == Money(D(12_000_000), "USD")
    assert parse_amount("1200美元", default_multiplier=WAN) == Money(D(1_200), "USD")
    assert parse_amount("￥1,200") == Money(D(1_200), "CNY")


def test_zero_only_when_allowed(english):
    assert parse_amount("0", allow_zero=True) == Money(D(0), "CNY")
    assert parse_amount("0元", allow_zero=True).amount == 0
    with pytest.raises(InvalidInput, match='"0"'):
        parse_amount("0")


def test_amounts_are_decimal_never_float():
    with pytest.raises(TypeError):
        Money(1.8, "USD")  # type: ignore[arg-type]
    assert Money(5, "CNY").amount == D(5)
    assert isinstance(parse_amount("1.8亿美元").amount, Decimal)


def test_unknown_currency_is_refused():
    with pytest.raises(InvalidInput, match="XYZ"):
        Money(D(1), "XYZ")
    with pytest.raises(InvalidInput, match="XYZ"):
        parse_amount("12", default_currency="XYZ")


GENERIC = "write a number with an optional unit"


@pytest.mark.parametrize(
    "text, says",
    [
        ("", GENERIC),
        ("   ", GENERIC),
        ("abc", GENERIC),
        ("亿元", GENERIC),
        ("元", GENERIC),
        ("USD", GENERIC),
        ("1.8亿亿", GENERIC),
        ("5万万", GENERIC),
        ("5亿万元", GENERIC),
        ("1.8 million billion", GENERIC),
        ("5亿元元", GENERIC),
        ("25亿余多元", GENERIC),
        ("1 2亿", GENERIC),
        ("5亿元以下", GENERIC),  # a bound from above says no number
        ("超超5亿元", GENERIC),
        ("超5亿元左右", GENERIC),
        ("近日", GENERIC),
        ("NaN", GENERIC),
        ("nan亿", GENERIC),
        ("Infinity", GENERIC),
        ("inf", GENERIC),
        ("1e5", GENERIC),
        ("1E5元", GENERIC),
        ("10^20", GENERIC),
        ("1,5亿", GENERIC),
        ("3,00,000元", GENERIC),
        ("1.", GENERIC),
        (".5亿", GENERIC),
        ("1.8亿 2亿元", GENERIC),
        ("5 mango", GENERIC),
        ("٣亿", GENERIC),
        ("1" * 200, GENERIC),
        ("1.8亿人民币美元", "two currencies"),
        ("¥5美元", "two currencies"),
        ("USD 5 EUR", "two currencies"),
        ("-5亿", "negative"),
        ("−5亿", "negative"),
        ("－5亿元", "negative"),
        ("$-180M", "negative"),
        ("0", "zero"),
        ("0.00亿元", "zero"),
        ("0.001元", "2 decimal places"),
        ("0.00000000001亿", "2 decimal places"),
        ("1" + "0" * 20 + "元", "too large"),
        ("10000000万亿", "too large"),
        ("100001亿元", "too large"),
        ("1.0000000000000000000000000000000000000000000000000000000000000001亿", "2 decimal places"),
    ],
)
def test_parse_amount_refuses(text, says, english):
    with pytest.raises(InvalidInput) as caught:
        parse_amount(text)
    message = str(caught.value)
    assert says in message
    quoted = text.strip() if len(text.strip()) <= 60 else text.strip()[:60]
    assert f'"{quoted}' in message


def test_unreadable_message_lists_what_is_accepted(english):
    with pytest.raises(InvalidInput) as caught:
        parse_amount("1.8亿亿")
    assert str(caught.value) == (
        'Cannot read amount "1.8亿亿": write a number with an optional unit (万, 亿) and '
        "currency (元, 美元, USD …), e.g. 1.8亿美元, 25亿元, 4565万元, $180M"
    )


@pytest.mark.parametrize(
    "label, unit",
    [
        ("总投资(亿元)", (YI, "CNY")),
        ("总投资（亿元）", (YI, "CNY")),
        ("投资额（万美元）", (WAN, "USD")),
        ("Amount (USD million)", (D(10) ** 6, "USD")),
        ("Amount (million USD)", (D(10) ** 6, "USD")),
        ("Amount USD million", (D(10) ** 6, "USD")),
        ("金额/万元", (WAN, "CNY")),
        ("金额(万)", (WAN, "CNY")),
        ("金额(美元)", (D(1), "USD")),
        ("总投资（单位：亿元）", (YI, "CNY")),
        ("总投资【亿元】", (YI, "CNY")),
        ("亿元", (YI, "CNY")),
    ],
)
def test_unit_from_label(label, unit):
    assert unit_from_label(label) == unit


@pytest.mark.parametrize("label", ["项目名称", "总投资", "单元", "备注(其他)", "Amount", ""])
def test_unit_from_label_none(label):
    assert unit_from_label(label) is None


def test_unit_from_label_default_currency():
    assert unit_from_label("金额(万)", default_currency="USD") == (WAN, "USD")


@pytest.mark.parametrize(
    "amount, yi, wan",
    [
        (D(11_778_540_000), D("117.79"), D("1177854.00")),
        (D(11_778_500_000), D("117.79"), D("1177850.00")),  # half up: 117.785 → 117.79
        (D(11_778_499_999), D("117.78"), D("1177850.00")),
        (D(45_650_000), D("0.46"), D("4565.00")),
        (D(125), D("0.00"), D("0.01")),  # half up: 0.0125万 → 0.01
        (D(150), D("0.00"), D("0.02")),  # half up, not half even
    ],
)
def test_to_yi_to_wan_round_half_up(amount, yi, wan):
    assert to_yi(amount) == yi
    assert to_wan(amount) == wan
    assert str(to_yi(amount)) == str(yi)


def test_to_yi_places():
    assert to_yi(D(11_778_540_000), 0) == D(118)
    assert to_yi(D(11_778_540_000), 4) == D("117.7854")


@pytest.mark.parametrize(
    "money, zh, en",
    [
        (Money(D(180_000_000), "USD"), "1.8亿美元", "USD 180 million"),
        (Money(D(2_500_000_000), "CNY"), "25亿元", "CNY 2,500 million"),
        (Money(D(11_778_540_000), "CNY"), "117.79亿元", "CNY 11,778.54 million"),
        (Money(D(11_778_500_000), "CNY"), "117.79亿元", "CNY 11,778.5 million"),
        (Money(D(11_700_000_000), "CNY", True), "约117亿元", "about CNY 11,700 million"),
        (Money(D(45_650_000), "CNY"), "4565万元", "CNY 45.65 million"),
        (Money(D(3_000_000), "USD"), "300万美元", "USD 3 million"),
        (Money(D(5_000), "CNY"), "5,000元", "CNY 5,000"),
        (Money(D("5000.50"), "CNY"), "5,000.5元", "CNY 5,000.5"),
        (Money(D("12.34"), "EUR"), "12.34欧元", "EUR 12.34"),
        (Money(D(10_000), "HKD"), "1万港元", "HKD 10,000"),
        (Money(D(10) ** 8, "JPY"), "1亿日元", "JPY 100 million"),
        (Money(D(2_000_000), "GBP"), "200万英镑", "GBP 2 million"),
        (Money(D("99999999.99"), "CNY"), "1亿元", "CNY 100 million"),
        (Money(D("999999.99"), "CNY"), "100万元", "CNY 999,999.99"),
        (Money(D(0), "CNY"), "0元", "CNY 0"),
        (Money(D(-500_000_000), "CNY"), "-5亿元", "CNY -500 million"),
    ],
)
def test_format_money(money, zh, en):
    assert format_money(money, "zh") == zh
    assert format_money(money, "en") == en


def test_format_money_follows_current_language():
    money = Money(D(180_000_000), "USD")
    assert format_money(money) == "1.8亿美元"
    set_language("en")
    assert format_money(money) == "USD 180 million"


@pytest.mark.parametrize(
    "amount, text",
    [
        (D(11_778_540_000), "117.79"),
        (D(11_778_500_000), "117.79"),
        (D(2_500_000_000), "25.00"),
        (D(1_200_000_000_000), "12000.00"),
        (D(45_650_000), "0.46"),
        (D(0), "0.00"),
    ],
)
def test_format_yi(amount, text):
    assert format_yi(amount) == text


def test_currencies():
    assert set(CURRENCIES) == {"CNY", "USD", "EUR", "HKD", "JPY", "GBP"}
    assert CURRENCIES["USD"] == "美元"


@given(st.text(max_size=40))
def test_any_text_gives_money_or_invalid_input(text):
    try:
        money = parse_amount(text)
    except InvalidInput as err:
        assert str(err)
    else:
        assert isinstance(money, Money)
        assert D(0) < money.amount <= D(10) ** 13


_TOKENS = st.sampled_from(
    [
        "1",
        "25",
        "1.8",
        ",",
        ".",
        "0",
        "亿",
        "万",
        "千",
        "元",
        "美元",
        "余",
        "多",
        "$",
        "¥",
        "USD",
        "m",
        "bn",
        " ",
        "-",
        "约",
        "about",
        "e",
        "k",
        "万亿",
        "，",
        "２",
    ]
)


# cn2an (Chinese numerals) loads on the first numeral met, once (~0.3 s): loaded here so that
# Hypothesis's per-example deadline does not count it against whichever example comes first.
parse_amount("一亿元")


@given(st.lists(_TOKENS, max_size=8).map("".join))
def test_amount_like_text_gives_money_or_invalid_input(text):
    try:
        assert isinstance(parse_amount(text), Money)
    except InvalidInput:
        pass


# Amounts that are exact at two decimals of the unit format_money chooses in
# either language: hundredths of 亿 from 1亿, hundredths of 万 (and whole 万 for
# the English millions) below, and cents below 1万.
_EXACT_AMOUNTS = st.one_of(
    st.integers(100, 10**7).map(lambda n: D(n) * D(10) ** 6),
    st.integers(1, 9999).map(lambda n: D(n) * WAN),
    st.integers(1, 999_999).map(lambda n: D(n) / 100),
)
_MONEY = st.builds(Money, _EXACT_AMOUNTS, st.sampled_from(sorted(CURRENCIES)), st.booleans())


@given(_MONEY, st.sampled_from(["zh", "en"]))
def test_format_then_parse_round_trips(money, lang):
    assert parse_amount(format_money(money, lang)) == money


@given(
    _EXACT_AMOUNTS,
    st.sampled_from(["元", "美元", "欧元", "港元", "日元", "英镑", ""]),
    st.sampled_from([("亿", YI), ("万", WAN), ("", D(1))]),
    st.sampled_from(["zh", "en"]),
)
def test_parse_then_format_round_trips(amount, currency_word, unit, lang):
    word, scale = unit
    number = amount / scale
    if number != number.quantize(D("0.01")):
        number = amount
        word = ""
    text = f"{number.normalize():f}{word}{currency_word}"
    money = parse_amount(text)
    assert money.amount == amount
    assert parse_amount(format_money(money, lang)) == money


@pytest.mark.parametrize(
    "text, amount, currency, approximate",
    [
        ("八十亿元", "8000000000", "CNY", False),
        ("一点八亿美元", "180000000", "USD", False),
        ("两亿元", "200000000", "CNY", False),
        ("1亿8千万元", "180000000", "CNY", False),
        ("2亿零500万元", "205000000", "CNY", False),
        ("3个亿", "300000000", "CNY", False),
        ("人民币壹亿捌仟万元整", "180000000", "CNY", False),
        ("5000元整", "5000", "CNY", False),
        ("1.8億美元", "180000000", "USD", False),
        ("3000萬元", "30000000", "CNY", False),
        ("25亿元左右", "2500000000", "CNY", True),
        ("超5亿元", "500000000", "CNY", True),
        ("超过5亿元", "500000000", "CNY", True),
        ("逾5亿元", "500000000", "CNY", True),
        ("近一亿元", "100000000", "CNY", True),
        ("将近5亿元", "500000000", "CNY", True),
        ("不少于5亿元", "500000000", "CNY", True),
        ("不低于1.8亿美元", "180000000", "USD", True),
        ("5亿元以上", "500000000", "CNY", True),
        ("5亿元上下", "500000000", "CNY", True),
        ("180 million US dollars", "180000000", "USD", False),
    ],
)
def test_chinese_numerals_and_colloquial_amounts(text, amount, currency, approximate):
    """One reader for the CLI, the forms and the import: what bureaus write in words reads as the number."""
    money = parse_amount(text)
    assert (money.amount, money.currency, money.approximate) == (Decimal(amount), currency, approximate)


@pytest.mark.parametrize("typed", ["约5亿元", "大约5亿元", "5亿余元", "5亿多元", "超5亿元", "5亿元以上"])
def test_an_approximate_amount_is_shown_as_about_never_as_more_than(typed):
    """约5亿 may be 4.8亿: shown as 5亿余元 ("more than 5亿") it said what the officer did not; 约 is true of both."""
    set_language("zh")
    shown = format_money(parse_amount(typed))
    assert shown == "约5亿元" and parse_amount(shown) == parse_amount(typed)


def test_thousands_grouped_by_spaces_and_wan_typed_as_w():
    assert parse_amount("1 200", default_multiplier=WAN) == Money(D(12_000_000), "CNY")
    assert parse_amount("1\u00a0200\u00a0000元") == Money(D(1_200_000), "CNY")
    assert parse_amount("1200w") == Money(D(12_000_000), "CNY")
    with pytest.raises(InvalidInput):
        parse_amount("12 00")  # not groups of three: a typo, not a number
