"""An import knows the rows it added by the ids between the marks it takes before and after (its revert deletes
them): a colleague's write while the import is open waits for it (crm.importing.records.holding_the_ledger), so
that no one else's row takes an id in between. Before, on PostgreSQL, a revert deleted the stage changes,
blockers and payments colleagues recorded on other deals while the import ran."""

from crm.deals.blockers import add_blocker
from crm.deals.funds import record_funds
from crm.deals.stages import change_stage
from crm.importing import run_import
from crm.importing.records import revert_import
from db.models import Blocker, Deal, FundsArrived, StageChange, database
from tests.ledger.test_import_county import county_xlsx
from tests.ledger_checks import check_ledger, one_deal, while_open

DEPARTMENT = "涿州市人民政府"


HEADERS = ["序号", "项目名称", "所在地", "总投资", "签约时间", "项目进展", "存在问题", "牵头单位"]
ROWS = [
    [1, "导入的新项目", "涿州市", "5亿元", "2020-06-01", "已开工", "环评未批", DEPARTMENT],
    [2, "另一个导入的项目", "定兴县", "2亿元", "2020-06-02", "签约", None, DEPARTMENT],
]


def test_a_colleagues_writes_wait_for_an_import_and_its_revert_leaves_them(ledger, tmp_path):
    code = one_deal("同事的项目", "涿州市", DEPARTMENT)
    sheet = county_xlsx(tmp_path / "县报.xlsx", ROWS, HEADERS, note=None)
    imported = []
    while_open(
        lambda: imported.append(run_import(sheet, actor="导入员")),
        lambda: change_stage(code, "注册"),
        lambda: add_blocker(code, "供电线路未接入", DEPARTMENT),
        lambda: record_funds(code, "1亿元"),
    )
    report = imported[0]
    assert report.written and len(report.created) == 2, report.problems
    revert_import(report.import_id, "复核员")
    deal = Deal.get(Deal.code == code)
    assert deal.stage == "registered"
    assert [e.to_stage for e in StageChange.select().where(StageChange.deal == deal)] == ["signed", "registered"]
    assert [b.text for b in Blocker.select().where(Blocker.deal == deal)] == ["供电线路未接入"]
    assert FundsArrived.select().where(FundsArrived.deal == deal).count() == 1
    assert not Deal.select().where(Deal.name == "导入的新项目").exists()
    check_ledger(database.obj)
