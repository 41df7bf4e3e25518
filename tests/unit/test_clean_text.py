"""Free text as a name or note is stored: pasted zero-width characters dropped unseen, real control characters
refused with a message that shows where, not a Python repr."""

import pytest

from crm.foundation.errors import InvalidInput
from crm.foundation.text import clean_text


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
def test_a_zero_width_character_is_dropped(invisible):
    assert clean_text(f"满城新能源{invisible}储能项目{invisible}", "项目名称") == "满城新能源储能项目"


def test_a_control_character_is_refused_naming_the_text_before_it(english):
    with pytest.raises(InvalidInput) as caught:
        clean_text("满城撤资\x07项目", "Note")
    assert str(caught.value) == "Note contains a control character (U+0007) after “满城撤资”"
    with pytest.raises(InvalidInput):
        clean_text("满城\u202e项目", "Name")  # a bidi override reorders what is shown: still refused
