"""Column types that keep money exact on every backend.

SQLite has no exact decimal type (NUMERIC columns silently become floats), so
amounts are stored as whole fen/cents in a 64-bit integer and exchange rates
as whole millionths. Both backends then store, compare and SUM them exactly.
"""

from decimal import Decimal

from peewee import BigIntegerField

from crm.foundation.errors import InvalidInput


class _ScaledDecimalField(BigIntegerField):
    """A Decimal held as an integer number of 10**-places units."""

    places = 2

    def db_value(self, value):
        if value is None:
            return None
        scaled = Decimal(value).scaleb(self.places)
        if scaled != scaled.to_integral_value():
            raise InvalidInput(f"{value} has more than {self.places} decimal places")
        return int(scaled)

    def python_value(self, value):
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.places)


class CentsField(_ScaledDecimalField):
    """An amount of money in units of the currency, exact to 0.01 (分/cent)."""

    places = 2


class RateField(_ScaledDecimalField):
    """An exchange rate in CNY per unit, exact to 0.000001."""

    places = 6
