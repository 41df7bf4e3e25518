"""exports.weekly_layout.shown: the one wording of the weekly table's typed numbers (亿元, rates, shares) that the
xlsx, CSV and text exporters all show, so the three never disagree on a figure."""

from decimal import Decimal

import pytest

from crm.foundation.i18n import set_language
from exports import weekly_layout as layout


@pytest.fixture
def english():
    set_language("en")
    yield
    set_language("zh")


@pytest.mark.parametrize(
    "value, text",
    [
        (layout.Yi(Decimal("11779500000")), "117.80"),  # 亿 rounded half up to two decimals
        (layout.Yi(Decimal("11779500000"), approximate=True), "约117.80"),  # adds up an approximate amount
        (layout.Yi(Decimal("0")), "0.00"),
        (layout.Rate(Decimal("7.103")), "7.1030"),  # as quoted: at least four decimals
        (layout.Rate(Decimal("7.10305")), "7.10305"),  # more only when it has them
        (layout.Ratio(Decimal("0.822429")), "82.24%"),
        (layout.Ratio(None), "—"),  # no deal planned: no share
    ],
)
def test_each_typed_number_reads_as_the_table_prints_it(value, text):
    assert layout.shown(value) == text


def test_an_approximate_total_reads_about_in_english(english):
    assert layout.shown(layout.Yi(Decimal("11779500000"), approximate=True)) == "about 117.80"


@pytest.mark.parametrize("value", ["117.80", Decimal("1.5"), 3, None])
def test_a_value_that_is_no_typed_number_is_refused(value):
    with pytest.raises(TypeError):
        layout.shown(value)
