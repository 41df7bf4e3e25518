"""A CSV written for Excel keeps text as text with ="…" (="1200", ="2020-09-10"): the importer reads the cell Excel
would show, as the tester's sheet P (GBK, 唐县) writes it."""

from decimal import Decimal

from db.connection import open_database
from db.models import Deal
from tests.ledger.test_import_county import run_import


def test_excel_forced_text_cells_read_as_shown(ledger, db_url, run_cli, tmp_path):
    path = tmp_path / "唐县.csv"
    path.write_bytes(
        "序号,项目名称,总投资（万元）,签约日期\r\n"
        '1,唐县汽车配件项目,="1200",="2020/9/10"\r\n'
        '2,"=""唐县肉羊养殖项目""","=""1,500""",2020/9/11\r\n'.encode("gbk")
    )
    code, report, err = run_import(run_cli, db_url, path)
    assert code == 0, err
    open_database(db_url)
    landed = {d.name: (d.amount, str(d.signed_on)) for d in Deal.select()}
    assert landed == {
        "唐县汽车配件项目": (Decimal("12000000.00"), "2020-09-10"),
        "唐县肉羊养殖项目": (Decimal("15000000.00"), "2020-09-11"),
    }
