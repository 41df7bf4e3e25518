"""Reading each editable field of a deal from what a user typed.

The CLI, the TUI forms and the importer all hand text to `parse_fields`,
so a value is checked the same way wherever it comes from.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import N_, _, current_language
from crm.foundation.text import clean_text
from crm.reference.lookup import department_by_name, event_by_name
from crm.values.dates import parse_date, parse_month
from crm.values.money import parse_amount
from db.models import Person

APPROVALS = {
    "approval": ("审批", "审批类", "approval"),
    "verification": ("核准", "核准类", "verification", "ratification"),
    "filing": ("备案", "备案类", "filing", "record"),
}
APPROVAL_LABELS = {
    "approval": ("审批", "Approval"),
    "verification": ("核准", "Verification"),
    "filing": ("备案", "Filing"),
}
_APPROVAL_LOOKUP = {w.lower(): k for k, words in APPROVALS.items() for w in words}


def area_label(value: Decimal | None) -> str:
    """A floor area as people read it (81,900.00 平方米 / square metres); "" for none."""
    return _("{area} square metres").format(area=f"{value:,.2f}") if value else ""


def approval_label(key: str | None, lang: str | None = None) -> str:
    """An approval type's label (审批, 核准, 备案; in English Approval, Verification, Filing) in `lang` (default the
    current language); "" for none or a key it does not know."""
    labels = APPROVAL_LABELS.get(key or "")
    if labels is None:
        return ""
    return labels[0 if (lang or current_language()) == "zh" else 1]


class MissingFields(InvalidInput):
    """Fields a record cannot be saved without, left empty. The message is the command line's (it names the
    first field's flag); `keys` names every one of them (DealField keys), for a form to mark each and word its own."""

    def __init__(self, message: str, keys: tuple[str, ...]) -> None:
        super().__init__(message)
        self.keys = keys


@dataclass(frozen=True)
class DealField:
    """Everything the program knows about one editable field of a deal, declared once.

    The CLI's `add`/`edit` options, the TUI form, the Detail labels, the
    importer's header words and the audit trail's field names all read this.
    `label` is the English source of the label (translated with `_()`);
    `kind` says how typed text is read (see `parse_fields`); `widget` is the
    form control (text, amount, date, event, suggest, approval, lead, area);
    `header_words` are the column headings bureaus write for it, normalised
    as crm.foundation.text.folded leaves them, most specific first.
    """

    key: str
    label: str
    kind: str
    widget: str
    flag: str
    max_length: int | None = None
    required: bool = False
    multiline: bool = False
    help: str | None = None
    metavar: str | None = None
    header_words: tuple[str, ...] = ()


#: The editable fields of a deal, in the order a form shows them.
FIELDS: tuple[DealField, ...] = (
    DealField(
        "name",
        N_("Name"),
        "text",
        "text",
        "--name",
        200,
        required=True,
        header_words=("项目名称", "项目全称", "项目", "名称", "projectname", "project", "dealname", "name"),
    ),
    DealField(
        "investor",
        N_("Investor"),
        "text",
        "text",
        "--investor",
        200,
        header_words=(
            "投资方",
            "签约企业",
            "投资企业",
            "投资主体",
            "签约单位",
            "投资单位",
            "签约主体",
            "合作方",
            "投资商",
            "investor",
        ),
    ),
    DealField(
        "amount",
        N_("Amount"),
        "amount",
        "amount",
        "--amount",
        help=N_("e.g. 25亿元, 1.8亿美元, 4565万元, $180M"),
        header_words=(
            "总投资",
            "投资额",
            "总投资额",
            "计划总投资",
            "投资总额",
            "项目总投资",
            "协议投资额",
            "协议投资",
            "签约投资额",
            "签约额",
            "签约金额",
            "合同金额",
            "totalinvestment",
            "investment",
            "amount",
        ),
    ),
    DealField(
        "signed_on",
        N_("Signed on"),
        "date",
        "date",
        "--signed",
        metavar="DATE",
        header_words=(
            "签约时间",
            "签约日期",
            "签约日",
            "签订时间",
            "签订日期",
            "签约年月",
            "signingdate",
            "signedon",
            "datesigned",
            "signed",
        ),
    ),
    DealField(
        "event",
        N_("Event"),
        "event",
        "event",
        "--event",
        header_words=("签约活动", "活动名称", "签约平台", "招商活动", "签约场合", "活动", "signingevent", "event"),
    ),
    DealField(
        "region",
        N_("Region"),
        "text",
        "suggest",
        "--region",
        50,
        header_words=(
            "县(市、区)",
            "县(市,区)",
            "县市区",
            "所在县(市、区)",
            "所在县市区",
            "所在地",
            "项目所在地",
            "属地",
            "所在区域",
            "地区",
            "区域",
            "县区",
            "county(city,district)",
            "county",
            "region",
            "location",
        ),
    ),
    DealField(
        "industry",
        N_("Industry"),
        "text",
        "suggest",
        "--industry",
        50,
        header_words=(
            "产业类别",
            "产业",
            "行业",
            "所属产业",
            "产业类型",
            "行业类别",
            "所属行业",
            "产业分类",
            "产业方向",
            "industrycategory",
            "industry",
            "sector",
        ),
    ),
    DealField(
        "sub_industry",
        N_("Sub-industry"),
        "text",
        "text",
        "--sub-industry",
        50,
        header_words=("细分产业", "细分行业", "子行业", "细分领域", "sub-industry", "subindustry"),
    ),
    DealField(
        "approval",
        N_("Approval"),
        "approval",
        "approval",
        "--approval",
        help=N_("审批 / 核准 / 备案"),
        header_words=("审批类型", "审批方式", "立项方式", "审批类别", "approval"),
    ),
    DealField(
        "liaison",
        N_("Liaison leader"),
        "person",
        "suggest",
        "--liaison",
        50,
        help=N_("liaison leader (包联领导)"),
        # The city's leader: a county's leader column (包联县领导) is crm.importing.headers' "county_liaison", the
        # liaison only when the sheet has no city one.
        header_words=(
            "包联领导",
            "包联市领导",
            "包联市级领导",
            "市级包联领导",
            "市包联领导",
            "联系领导",
            "包联人",
            "liaisonleader",
            "liaison",
        ),
    ),
    DealField(
        "lead_unit",
        N_("Lead unit"),
        "department",
        "lead",
        "--lead-unit",
        help=N_("lead unit (牵头单位)"),
        header_words=(
            "牵头单位",
            "责任单位",
            "牵头责任单位",
            "责任部门",
            "牵头部门",
            "leaddepartment",
            "leadunit",
            "responsibleunit",
        ),
    ),
    DealField(
        "planned_start",
        N_("Planned start"),
        "date",
        "date",
        "--planned-start",
        metavar="DATE",
        header_words=("计划开工时间", "计划开工日期", "计划开工", "开工时间", "开工日期", "plannedstart"),
    ),
    DealField(
        "planned_completion",
        N_("Planned completion"),
        "date",
        "date",
        "--planned-completion",
        metavar="DATE",
        header_words=(
            "计划竣工时间",
            "计划竣工日期",
            "计划竣工",
            "计划投产时间",
            "计划完工时间",
            "竣工时间",
            "投产时间",
            "plannedcompletion",
        ),
    ),
    DealField(
        "floor_area",
        N_("Floor area"),
        "area",
        "area",
        "--floor-area",
        help=N_("e.g. 81.9万平方米"),
        header_words=("总建筑面积", "建筑面积", "floorarea"),
    ),
    DealField(
        "responsibility_plan",
        N_("Responsibility plan"),
        "text",
        "text",
        "--plan",
        4000,
        multiline=True,
        help=N_("responsibility plan (责任方案)"),
        header_words=("责任方案", "responsibilityplan"),
    ),
    DealField(
        "notes",
        N_("Notes"),
        "text",
        "text",
        "--notes",
        4000,
        multiline=True,
        header_words=("备注", "说明", "notes", "remarks", "note"),
    ),
)
BY_KEY: dict[str, DealField] = {f.key: f for f in FIELDS}

# Derived views of FIELDS, for the readers below and the importer.
TEXT_FIELDS = {f.key: (f.label, f.max_length) for f in FIELDS if f.kind == "text"}
DATE_FIELDS = tuple(f.key for f in FIELDS if f.kind == "date")
EDITABLE = tuple(f.key for f in FIELDS)


def label_of(key: str) -> str:
    """The English source of a field's label (pass it to `_()`), or the key itself for other columns."""
    field = BY_KEY.get(key)
    return field.label if field else key


def parse_approval(text: str) -> str:
    """审批 / 核准 / 备案 (or approval / verification / filing) → the English key."""
    key = _APPROVAL_LOOKUP.get((text or "").strip().lower())
    if key is None:
        raise InvalidInput(
            _("Unknown approval kind {text!r}; use 审批 (approval), 核准 (verification) or 备案 (filing)").format(
                text=text
            )
        )
    return key


def parse_floor_area(text: str) -> Decimal:
    """`81.9万平方米`, `819000㎡`, `819000` → square metres."""
    raw = unicodedata.normalize("NFKC", str(text)).strip()
    match = re.fullmatch(r"([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万)?\s*(平方米|平米|㎡|m2|m²|sqm)?", raw, flags=re.I)
    try:
        value = Decimal(match.group(1).replace(",", "")) if match else None
    except InvalidOperation:
        value = None
    if value is None or value <= 0 or value > Decimal(10) ** 10:
        raise InvalidInput(
            _("Cannot read the floor area {text!r}: write e.g. 81.9万平方米 or 819000").format(text=text)
        )
    if match.group(2):
        value *= 10_000
    return value.quantize(Decimal("0.01"))


def person_named(name: str) -> Person:
    """The person with this exact name, created if new (a liaison leader is just a name)."""
    name = clean_text(name, _("Liaison leader"), max_length=50, required=True)
    person, _created = Person.get_or_create(name=name)
    return person


def parse_fields(values: dict) -> dict:
    """Model values for the given {field: typed text}; an empty text clears an optional field.

    `amount` expands into amount, currency and amount_approximate.
    """
    out = {}
    for field, raw in values.items():
        if field not in EDITABLE:
            raise InvalidInput(_("{field!r} is not a field of a deal").format(field=field))
        blank = raw is None or str(raw).strip() == ""
        spec = BY_KEY[field]
        if spec.kind == "text":
            out[field] = clean_text(
                raw, _(spec.label), max_length=spec.max_length, required=spec.required, multiline=spec.multiline
            )
        elif field == "amount":
            money = parse_amount(str(raw or ""))
            out.update(amount=money.amount, currency=money.currency, amount_approximate=money.approximate)
        elif blank:
            out[field] = None if field != "approval" else ""
            if spec.kind == "date":
                out[field + "_month"] = False
        elif spec.kind == "date":
            month = parse_month(str(raw))  # 2020年7月: a month, where a plan or a signing names only that
            out[field] = month or parse_date(str(raw))
            out[field + "_month"] = month is not None
        else:
            out[field] = _READERS[spec.kind](str(raw))
    return out


#: How the typed text of each kind of field that is not plain text becomes a model value.
_READERS = {
    "event": event_by_name,
    "department": department_by_name,
    "person": person_named,
    "approval": parse_approval,
    "area": parse_floor_area,
}
