"""Money: reading amounts the way bureaus write them, and showing them again.

Amounts are exact `Decimal`s in whole units of their currency (yuan, dollars),
kept to the cent. 万 (10^4) and 亿 (10^8) are only ways of writing and reading
them: `parse_amount("1.8亿美元")` is `Money(Decimal("180000000.00"), "USD")`.
Rounding (四舍五入, ROUND_HALF_UP) happens here, when a value is displayed, and
nowhere else.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _, current_language
from crm.foundation.text import LazyPattern

#: ISO code → Chinese name.
CURRENCIES: dict[str, str] = {
    "CNY": "人民币",
    "USD": "美元",
    "EUR": "欧元",
    "HKD": "港元",
    "JPY": "日元",
    "GBP": "英镑",
}

#: ISO code → the word written after a Chinese amount (25亿元, 1.8亿美元).
ZH_SUFFIX: dict[str, str] = {
    "CNY": "元",
    "USD": "美元",
    "EUR": "欧元",
    "HKD": "港元",
    "JPY": "日元",
    "GBP": "英镑",
}

WAN = Decimal(10) ** 4
YI = Decimal(10) ** 8
MILLION = Decimal(10) ** 6
CENT = Decimal("0.01")
#: More than this many units of any currency is a typo (a unit written twice,
#: yuan typed into a 亿元 column), not a deal: ten trillion is beyond any city.
MAX_AMOUNT = Decimal(10) ** 13

# Token tables for the reader. Keys are casefolded and NFKC-normalised, so
# "￥", "ＵＳＤ" and "Usd" need no entries of their own.
_CURRENCY_WORDS: dict[str, str] = {
    # "25亿元人民币" and "人民币元" name one currency, not two.
    "元人民币": "CNY",
    "人民币元": "CNY",
    "人民币": "CNY",
    "元": "CNY",
    "rmb": "CNY",
    "cny": "CNY",
    "yuan": "CNY",
    "¥": "CNY",
    "美元": "USD",
    "美金": "USD",
    "usd": "USD",
    "us$": "USD",
    "$": "USD",
    "欧元": "EUR",
    "eur": "EUR",
    "€": "EUR",
    "港元": "HKD",
    "港币": "HKD",
    "hkd": "HKD",
    "hk$": "HKD",
    "日元": "JPY",
    "jpy": "JPY",
    "英镑": "GBP",
    "gbp": "GBP",
    "£": "GBP",
}

_UNIT_WORDS: dict[str, Decimal] = {
    "万亿": Decimal(10) ** 12,
    "千亿": Decimal(10) ** 11,
    "百亿": Decimal(10) ** 10,
    "十亿": Decimal(10) ** 9,
    "亿": YI,
    "千万": Decimal(10) ** 7,
    "百万": MILLION,
    "十万": Decimal(10) ** 5,
    "万": WAN,
    "w": WAN,  # 1200w: how 万 is typed in a hurry
    "千": Decimal(10) ** 3,
    "k": Decimal(10) ** 3,
    "thousand": Decimal(10) ** 3,
    "m": MILLION,
    "mn": MILLION,
    "mln": MILLION,
    "million": MILLION,
    "b": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
    "billion": Decimal(10) ** 9,
    "tn": Decimal(10) ** 12,
    "trillion": Decimal(10) ** 12,
}

# 余/多 follow the number or the unit (117余亿元, 117亿余元): "a little more than".
_QUALIFIER_WORDS = ("余", "多")
# "about" is what format_money writes in English for an approximate amount.
_APPROX_WORDS = ("approximately", "about", "大约", "约")
#: How an approximate amount is shown in Chinese: 约117亿元. One flag keeps 117亿余元 (more than) and 约5亿元
#: (about) alike, and "about" is true of both, where "余" would turn 约5亿 into "more than 5亿".
ABOUT_ZH = "约"

# Longest first, so that 万亿 wins over 万 and us$ over $.
_WORDS: list[tuple[str, str, object]] = sorted(
    [(w, "C", c) for w, c in _CURRENCY_WORDS.items()]
    + [(w, "U", m) for w, m in _UNIT_WORDS.items()]
    + [(w, "Q", None) for w in _QUALIFIER_WORDS]
    + [(w, "A", None) for w in _APPROX_WORDS],
    key=lambda entry: -len(entry[0]),
)

# ASCII digits only: \d would let Arabic-Indic digits through to Decimal().
# A comma must group thousands exactly, so "1,5" is refused rather than guessed.
# A space may group them too (1 200, and NFKC makes a no-break or thin space one).
_NUMBER = LazyPattern(r"([-−]\s*)?((?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)(?:\.[0-9]+)?)")
_SPACE = LazyPattern(r"\s+")
# A: about, C: currency, N: number, Q: 余/多, U: unit.
_AMOUNT_SHAPE = LazyPattern(r"A?C?NQ?U?Q?C?")
_LABEL_SHAPE = LazyPattern(r"UC?|CU?")
_MAX_TEXT = 100


@dataclass(frozen=True)
class Money:
    """An exact amount in whole units of `currency` (an ISO code of CURRENCIES).

    `approximate` records that the source said "余" / "多" / "约" / "about" (117亿余元, 约5亿元), or put the number
    as a bound (超5亿元, 近5亿元, 5亿元以上): the number is counted as written and shown as about it (约117亿元;
    English "about").
    """

    amount: Decimal
    currency: str
    approximate: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.amount, float) or not isinstance(self.amount, (Decimal, int)):
            raise TypeError(f"Money.amount must be a Decimal, not {type(self.amount).__name__}")
        if isinstance(self.amount, int):
            object.__setattr__(self, "amount", Decimal(self.amount))
        _check_currency(self.currency)


def _quote(text: str) -> str:
    """The input as shown inside a message: whole, unless it is very long."""
    text = text.strip()
    return text if len(text) <= 60 else text[:60] + "…"


def _unreadable(text: str) -> InvalidInput:
    return InvalidInput(
        _(
            'Cannot read amount "{text}": write a number with an optional unit (万, 亿) '
            "and currency (元, 美元, USD …), e.g. 1.8亿美元, 25亿元, 4565万元, $180M"
        ).format(text=_quote(text))
    )


def _tokens(text: str) -> list[tuple[str, object]] | None:
    """Split normalised text into (kind, value) tokens; None on anything unknown."""
    tokens: list[tuple[str, object]] = []
    pos = 0
    while pos < len(text):
        space = _SPACE.match(text, pos)
        if space:
            pos = space.end()
            continue
        number = _NUMBER.match(text, pos)
        if number:
            tokens.append(("N", (bool(number.group(1)), number.group(2))))
            pos = number.end()
            continue
        for word, kind, value in _WORDS:
            if text.startswith(word, pos):
                end = pos + len(word)
                # "m" must not swallow the start of "mango": an ASCII word
                # token ends where the letters end.
                if (
                    word[-1].isascii()
                    and word[-1].isalpha()
                    and end < len(text)
                    and text[end].isascii()
                    and text[end].isalpha()
                ):
                    continue
                tokens.append((kind, value))
                pos = end
                break
        else:
            return None
    return tokens


def _normalise(text: str) -> str:
    # NFKC folds full-width digits and punctuation (２５, ，, ￥, （）) to ASCII.
    return unicodedata.normalize("NFKC", text).casefold().strip()


# Traditional and colloquial ways of writing the same amount: 1.8億美元, 3个亿, 人民币壹亿捌仟万元整, 25亿元左右.
_SPOKEN = (
    ("億", "亿"),
    ("萬", "万"),
    ("兩", "两"),
    ("圓", "元"),
    ("個", "个"),
    ("个亿", "亿"),
    ("个万", "万"),
    ("多个", "多"),
    ("us dollars", "usd"),
    ("us dollar", "usd"),
    ("u.s. dollars", "usd"),
    ("dollars", "usd"),
    ("dollar", "usd"),
    ("renminbi", "cny"),
    ("euros", "eur"),
    ("euro", "eur"),
    ("yen", "jpy"),
)
_NUMERAL_RUN = LazyPattern(r"[0-9.〇○零一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点]+")
_CN_DIGIT = LazyPattern(r"[〇○零一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾佰仟点]")
# A number followed by one unit word (1.8亿, 4565万, 3千万): read as it is, without cn2an.
_PLAIN_RUN = LazyPattern(r"[0-9]+(?:\.[0-9]+)?(?:万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千)?")
_MIXED = LazyPattern(r"[万亿千百][0-9]")  # 1亿8千万: digits after a unit word
_UNIT_TAIL = LazyPattern(r"(万亿|亿|万)$")


def _arabic(run: str) -> str:
    """A run of Chinese numerals as digits and the largest magnitude word it has (八十亿 → 80亿, 一点八亿 → 1.8亿,
    1亿8千万 → 1.8亿, 一千二百万 → 1200万, 三千 → 3000); as written when cn2an cannot read it (the amount is then
    refused as unreadable). The magnitude word is kept so that the run is that amount whatever unit the column's
    header declares: 1亿2000万 in a 投资额（万元） column is 1.2亿元, not 1.2亿 万元."""
    import cn2an  # imported when a Chinese numeral is met: most amounts are digits

    for number, tail in ((run, ""), *(((run[: m.start()], m.group(1)),) if (m := _UNIT_TAIL.search(run)) else ())):
        if not number:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # cn2an warns before it raises
                value = cn2an.cn2an(number, "smart")
        except (ValueError, KeyError, IndexError):
            continue
        value = Decimal(str(value))
        if not tail:
            word = "亿" if "亿" in number else "万" if "万" in number else ""
            value, tail = value.scaleb(-8 if word == "亿" else -4 if word else 0), word
        return format(value.normalize(), "f") + tail
    return run


# Words around an amount that say it is not exact, read as 约 (one flag, as 余 and 多 are): 25亿元左右, 5亿元以上,
# 超5亿元, 逾5亿元, 近5亿元, 不少于5亿元. Longest first, so that 超过 is not read as 超 and 过5亿.
_ABOUT_AFTER = ("左右", "以上", "上下")
#: The words that put the true amount just under the figure written (近5亿元: a little less than 5亿).
UNDER_WORDS = ("将近", "接近", "近")
_OVER_BEFORE = ("不少于", "不低于", "超过", "超", "逾")
_ABOUT_BEFORE = tuple(sorted((*_OVER_BEFORE, *UNDER_WORDS), key=len, reverse=True))
#: Every word that makes an amount approximate and says nothing of its unit or currency (5亿元以上: 亿元 does).
APPROXIMATION_WORDS = (*_APPROX_WORDS, *_QUALIFIER_WORDS, *_ABOUT_AFTER, *_ABOUT_BEFORE)
#: The same, longest first: a reader taking the first that matches takes 大约, not 约, and 超过, not 超.
APPROXIMATION_LONGEST = tuple(sorted(APPROXIMATION_WORDS, key=len, reverse=True))
#: The words that put it above the figure (117亿余元, 超5亿元, 5亿元以上, 不少于5亿元).
OVER_WORDS = (*_QUALIFIER_WORDS, "以上", *_OVER_BEFORE)
# Anything _spoken would change: most amounts (25亿元, 4565万元, $180M) have none of it and skip its work.
_SPOKEN_HINT = LazyPattern(
    r"[億萬兩圓個个整正〇○零一二两三四五六七八九十百壹贰叁肆伍陆柒捌玖拾佰仟点]|dollar|renminbi|euro|yen|[万亿千百][0-9]"
    f"|(?:{'|'.join(_ABOUT_AFTER)})$|^(?:{'|'.join(_ABOUT_BEFORE)})"
)


def _spoken(normal: str) -> str:
    """`normal` with Chinese numerals as digits and colloquial words as the reader's: what parse_amount tokenises."""
    if not _SPOKEN_HINT.search(normal):
        return normal
    for old, new in _SPOKEN:
        normal = normal.replace(old, new)
    if normal.endswith(("整", "正")):
        normal = normal[:-1]
    after = next((w for w in _ABOUT_AFTER if normal.endswith(w)), None)
    if after is not None:
        normal = "约" + normal[: -len(after)]
    before = next((w for w in _ABOUT_BEFORE if normal.startswith(w)), None)
    if before is not None:
        normal = "约" + normal[len(before) :]
    return _NUMERAL_RUN.sub(
        lambda m: (
            m.group(0)
            if _PLAIN_RUN.fullmatch(m.group(0)) or not (_CN_DIGIT.search(m.group(0)) or _MIXED.search(m.group(0)))
            else _arabic(m.group(0))
        ),
        normal,
    )


def _check_currency(code: str) -> str:
    if code not in CURRENCIES:
        raise InvalidInput(
            _("Unknown currency {code}: use one of {codes}").format(code=code, codes=", ".join(CURRENCIES))
        )
    return code


def parse_amount(
    text: str,
    default_currency: str = "CNY",
    default_multiplier: Decimal | int = Decimal(1),
    allow_zero: bool = False,
) -> Money:
    """Read an amount as bureaus write it: 1.8亿美元, 25亿元, 117亿余元, $180M, 3,000,000元.

    A bare number (``12.5``) means `default_multiplier` units of
    `default_currency` — the importer passes 10^8 for a column headed 总投资(亿元).
    Any explicit unit or currency overrides the defaults for that part: a number written with 万 or 亿 in it
    (1亿2000万, 壹亿贰仟万, 八十亿) is that amount whatever `default_multiplier` says, and so is one with a
    currency after it (3,000,000元, 1200美元); a currency's sign before it (￥1,200, $1,200, 人民币1200) names the
    currency only, the number still in `default_multiplier` units.
    Raises InvalidInput for anything else: unknown words, two currencies,
    doubled units (1.8亿亿), negative, zero (unless `allow_zero`), more than
    10^13 units, or fractions of a cent.
    """
    if not isinstance(text, str):
        raise _unreadable(str(text))
    _check_currency(default_currency)
    default_multiplier = Decimal(default_multiplier)
    if not default_multiplier.is_finite() or default_multiplier <= 0:
        raise InvalidInput(_("Unit multiplier {value} must be a positive number").format(value=default_multiplier))
    # NFKC would read a superscript ² as 2 (1²亿元 → 12亿元) and a line separator as a space.
    if any(unicodedata.category(ch) in ("No", "Zl", "Zp") for ch in text):
        raise _unreadable(text)
    normal = _normalise(text)
    if not normal or len(normal) > _MAX_TEXT:
        raise _unreadable(text)
    tokens = _tokens(_spoken(normal))
    if tokens is None:
        raise _unreadable(text)

    currencies = [value for kind, value in tokens if kind == "C"]
    if len(set(currencies)) > 1:
        raise InvalidInput(
            _('Amount "{text}" names two currencies ({first}, {second}): write one').format(
                text=_quote(text), first=currencies[0], second=currencies[-1]
            )
        )
    shape = "".join(kind for kind, _value in tokens)
    if not _AMOUNT_SHAPE.fullmatch(shape) or shape.count("Q") > 1:
        raise _unreadable(text)

    negative, digits = next(value for kind, value in tokens if kind == "N")
    if negative:
        raise InvalidInput(
            _('Amount "{text}" is negative: amounts are written without a minus sign').format(text=_quote(text))
        )
    units = [value for kind, value in tokens if kind == "U"]
    if units:
        multiplier = units[0]
    elif "C" in shape[shape.index("N") :]:
        # "3,000,000元" says yuan outright; a sign before the number (￥1,200) says only the currency, so the
        # column's 万元 still applies to it.
        multiplier = Decimal(1)
    else:
        multiplier = default_multiplier
    currency = currencies[0] if currencies else default_currency
    approximate = "Q" in shape or "A" in shape

    number = Decimal(digits.replace(",", "").replace(" ", ""))
    with localcontext() as ctx:
        # Room for every digit of the product, so it is exact and never rounded.
        ctx.prec = len(number.as_tuple().digits) + len(multiplier.as_tuple().digits) + 2
        value = number * multiplier
    if value > MAX_AMOUNT:
        raise InvalidInput(
            _('Amount "{text}" is too large: more than {limit} {currency}; check the unit').format(
                text=_quote(text), limit="10,000,000,000,000", currency=currency
            )
        )
    if value == 0 and not allow_zero:
        raise InvalidInput(_('Amount "{text}" is zero: enter an amount greater than zero').format(text=_quote(text)))
    if value != value.quantize(CENT):
        raise InvalidInput(
            _('Amount "{text}" has fractions of a cent: amounts are kept to 2 decimal places').format(text=_quote(text))
        )
    return Money(value.quantize(CENT), currency, approximate)


def unit_from_label(label: str, default_currency: str = "CNY") -> tuple[Decimal, str] | None:
    """The (multiplier, currency) a column header declares, or None.

    Reads 总投资(亿元) → (10^8, "CNY"), 投资额（万美元）→ (10^4, "USD"),
    Amount (USD million) → (10^6, "USD"), 金额/万元 → (10^4, "CNY").
    A header naming only a unit (金额(万)) is in `default_currency`.
    """
    _check_currency(default_currency)
    normal = _normalise(label)
    # The last bracketed part first: 总投资(2020年)(亿元) declares 亿元.
    candidates = re.findall(r"[(\[【]([^()\[\]【】]*)[)\]】]", normal)[::-1]
    parts = [p for p in re.split(r"[/|:;\s]+", normal) if p]
    # The longest run of trailing words that reads as a unit: "usd million" before "million".
    candidates += [" ".join(parts[i:]) for i in range(len(parts))]
    for candidate in candidates:
        candidate = re.sub(r"^(单位|units|unit|in)\s*:?\s*", "", candidate.strip())
        tokens = _tokens(candidate) if candidate else None
        if not tokens or not _LABEL_SHAPE.fullmatch("".join(kind for kind, _v in tokens)):
            continue
        multiplier = next((v for k, v in tokens if k == "U"), Decimal(1))
        currency = next((v for k, v in tokens if k == "C"), default_currency)
        return multiplier, currency
    return None


def _round(amount: Decimal, places: int) -> Decimal:
    return Decimal(amount).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def to_yi(amount: Decimal, places: int = 2) -> Decimal:
    """Units → 亿 units, rounded half up to `places` decimals (1,177,854,000 → 11.78)."""
    return _round(Decimal(amount).scaleb(-8), places)


def to_wan(amount: Decimal, places: int = 2) -> Decimal:
    """Units → 万 units, rounded half up to `places` decimals (45,650,000 → 4565.00)."""
    return _round(Decimal(amount).scaleb(-4), places)


def _plain(number: Decimal, grouping: bool = False) -> str:
    """Up to 2 decimals, trailing zeros dropped: 1.80 → 1.8, 25.00 → 25."""
    text = format(_round(number, 2), ",f" if grouping else "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def marked_about(text: str, approximate: bool = True, lang: str | None = None) -> str:
    """`text` marked as an approximate amount is (约499.51; English about 499.51), or as it is when exact."""
    if not approximate:
        return text
    return ("about " if (lang or current_language()) == "en" else ABOUT_ZH) + text


def yi_in_words(amount_cny: Decimal, approximate: bool = False) -> str:
    """A CNY total in a sentence: 470.16亿元 (two decimals, as the tables' 亿元 columns; 约 when it adds up an
    approximate amount), in English as every English amount reads (format_money): CNY 47,016.23 million."""
    if current_language() == "en":
        return format_money(Money(amount_cny, "CNY", approximate))
    return _("{amount} 100m CNY").format(amount=marked_about(format_yi(amount_cny), approximate))


def format_money(m: Money, lang: str | None = None) -> str:
    """Money as a reader expects it, rounded half up to 2 decimals of its unit.

    Chinese (default): 1.8亿美元, 117.79亿元, 约117亿元, 4565万元, 5,000元.
    English: USD 180 million, CNY 11,778.54 million, CNY 5,000, about CNY 11,700 million.
    """
    lang = lang or current_language()
    sign = "-" if m.amount < 0 else ""
    amount = abs(m.amount)
    if lang == "en":
        text = f"{m.currency} {sign}"
        if amount >= MILLION:
            text += _plain(amount.scaleb(-6), grouping=True) + " million"
        else:
            text += _plain(amount, grouping=True)
        return marked_about(text, m.approximate, lang)
    about = ABOUT_ZH if m.approximate else ""
    # The 亿 threshold is taken after rounding, so 99,999,999.99 shows as 1亿, not 10000万.
    if to_wan(amount) >= WAN:
        number = _plain(amount.scaleb(-8)) + "亿"
    elif amount >= WAN:
        number = _plain(amount.scaleb(-4)) + "万"
    else:
        number = _plain(amount, grouping=True)
    return f"{about}{sign}{number}{ZH_SUFFIX[m.currency]}"


def format_money_short(m: Money, lang: str | None = None) -> str:
    """Money in the fewest cells that still give the figure format_money gives, for a Board card.

    Chinese: as format_money (1.8亿美元, 4565万元, 约117亿元). English: m for million and bn where the
    figure in billions is the same figure (USD 180m, CNY 45.65m, CNY 1.5bn, CNY 11,778.54m, ≈CNY 11,700m).
    """
    lang = lang or current_language()
    if lang != "en":
        return format_money(m, lang)
    sign = "-" if m.amount < 0 else ""
    amount = abs(m.amount)
    if amount >= MILLION:
        millions, billions = _round(amount.scaleb(-6), 2), _round(amount.scaleb(-9), 2)
        # bn only where it drops no digit million shows (1,000.5 million is not 1bn)
        if billions >= 1 and billions.scaleb(3) == millions:
            number = _plain(billions, grouping=True) + "bn"
        else:
            number = _plain(millions, grouping=True) + "m"
    else:
        number = _plain(amount, grouping=True)
    return ("≈" if m.approximate else "") + f"{m.currency} {sign}{number}"


def currency_word(code: str, lang: str | None = None) -> str:
    """A currency as a sentence names it: 欧元 (Chinese), EUR (English)."""
    return ZH_SUFFIX.get(code, code) if (lang or current_language()) == "zh" else code


def completion_text(rate: Decimal | None, currency: str) -> str:
    """A year's completion rate, saying the currency when it is not CNY: 16.00%（按欧元）."""
    shown = percent_text(rate)
    if currency == "CNY" or rate is None:
        return shown
    return _("{rate} (in {currency})").format(rate=shown, currency=currency_word(currency))


def format_yi(amount_cny: Decimal) -> str:
    """An amount in yuan as 亿元 with exactly two decimals, for table columns: 117.79."""
    return format(to_yi(amount_cny, 2), "f")


def percent_text(value: Decimal | None) -> str:
    """A ratio as a percentage with two decimals (82.24%), or — when undefined."""
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"
