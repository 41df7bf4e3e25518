"""The one declaration of a deal's fields (crm.deals.fields.FIELDS) agrees with the
model's columns, and the CLI, the form, the importer and Detail read it."""

import peewee
import pytest

from crm.deals import fields
from crm.importing import headers
from db.models import Deal


@pytest.mark.parametrize("field", fields.FIELDS, ids=lambda f: f.key)
def test_each_field_is_a_column_of_the_model_with_its_length(field):
    column = Deal._meta.fields[field.key]
    if field.kind == "text" and isinstance(column, peewee.CharField):
        assert field.max_length == column.max_length
    if field.kind == "text" and isinstance(column, peewee.TextField):
        assert field.max_length and field.multiline
    if isinstance(column, peewee.ForeignKeyField) and field.max_length:
        name = column.rel_model._meta.fields["name"]
        assert field.max_length == name.max_length


def test_every_editable_column_of_the_model_is_declared():
    kept_by_the_program = {
        "id",
        "code",
        "currency",
        "amount_approximate",
        "amount_cny",
        "fx_rate",
        "stage",
        "stage_since",
        "search_text",
        "pinyin_initials",
        "created_at",
        "updated_at",
        "updated_by",
        "version",
        "archived_on",
        "archive_note",
    }  # crm archive / unarchive (crm.deals.corrections)
    dates = {f.key for f in fields.FIELDS if f.kind == "date"}
    precision = {f"{key}_month" for key in dates}  # a date field's month-only flag, set by parse_fields with it
    assert set(Deal._meta.fields) - kept_by_the_program - precision == {f.key for f in fields.FIELDS}


def test_the_cli_offers_one_option_per_field():
    from cli.main import build_parser

    parser = build_parser()
    add = parser._subparsers._group_actions[0].choices["add"]
    options = {a.dest: a.option_strings for a in add._actions}
    for field in fields.FIELDS:
        assert options[field.key] == [field.flag]


def test_the_form_shows_the_declared_fields_in_order():
    from screens import deal_form

    assert [key for key, _label, _kind in deal_form.FIELDS] == [f.key for f in fields.FIELDS]
    assert deal_form.LIMITS["name"] == fields.BY_KEY["name"].max_length


def test_the_importer_reads_each_fields_header_words():
    for field in fields.FIELDS:
        assert headers.SYNONYMS[field.key] == field.header_words


def test_a_typed_value_is_read_by_its_kind(ledger):
    values = fields.parse_fields(
        {
            "name": " 华侨城涿州城市客厅项目 ",
            "floor_area": "81.9万平方米",
            "signed_on": "2020年5月18日",
            "approval": "备案",
        }
    )
    assert values["name"] == "华侨城涿州城市客厅项目"
    assert str(values["floor_area"]) == "819000.00"
    assert values["signed_on"].isoformat() == "2020-05-18"
    assert values["approval"] == "filing"
