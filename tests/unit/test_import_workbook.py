"""Reading an xlsx grid (crm/importing/workbook.py): calamine's rows, read one at a time, give what openpyxl gives,
wherever the table starts on the sheet, with one str object per distinct text."""

import datetime

import xlsxwriter

from crm.importing import workbook


def _sheet(path, first_row: int, first_col: int):
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("台账")
    when = book.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(first_row, first_col, ["项目名称", "所在地", "总投资(亿元)", "签约时间"])
    for n in range(1, 6):
        ws.write_row(first_row + n, first_col, [f"第{n}号项目", "涿州市", 1.5 * n, None])
        ws.write_datetime(first_row + n, first_col + 3, datetime.datetime(2020, 5, n), when)
    ws.write(first_row + 7, first_col + 1, "  备注：单位万元  ")  # a note below, padded with spaces
    book.close()
    return path


def test_a_table_starting_below_and_right_of_a1_reads_as_openpyxl_reads_it(tmp_path):
    for first_row, first_col in ((0, 0), (3, 2), (0, 4), (6, 0)):
        path = _sheet(tmp_path / f"t{first_row}{first_col}.xlsx", first_row, first_col)
        (fast,) = workbook.read_grids(path)
        (slow,) = workbook._read_xlsx_openpyxl(path, None).grids
        assert fast.rows == slow.rows, (first_row, first_col)
        assert fast.rows[0] == (first_row + 1, [None] * first_col + ["项目名称", "所在地", "总投资(亿元)", "签约时间"])
        assert fast.rows[-1][1][-1] == "备注：单位万元"  # trimmed
        assert fast.formats == slow.formats


def test_each_distinct_text_is_one_object(tmp_path):
    (grid,) = workbook.read_grids(_sheet(tmp_path / "t.xlsx", 0, 0))
    regions = [values[1] for _n, values in grid.rows[1:6]]
    assert regions == ["涿州市"] * 5 and len({id(r) for r in regions}) == 1


def test_an_unused_column_is_offered_the_field_it_means_and_contact_details_none():
    from crm.importing.headers import best_guess

    # a phone or e-mail column shares characters with 联系人/联系领导 but holds no person's name
    assert [best_guess(h) for h in ("联系人电话", "联系人手机", "联系方式", "企业邮箱(E-mail)")] == [None] * 4
    # 合作单位 is the investor far more often than a supporting department (配合单位)
    assert best_guess("合作单位") == "investor" and best_guess("合作伙伴") == "investor"
    # headers with no such word still get the field they most resemble
    assert best_guess("配合单位名称") == "supporting"


def test_a_hidden_col_element_covers_the_same_columns_on_both_readers():
    """<col min max>: both readers of hidden columns (the XML scan and openpyxl's) ask column_span; a missing max is
    min alone, a span past the sheet's last column stops there, a min that is no number covers none."""
    from crm.importing.xlsx_parts import column_span, hidden_columns

    assert list(column_span("4", "6")) == [4, 5, 6] and list(column_span(b"4", None)) == [4]
    assert column_span("16383", "99999") == range(16383, 16385) and not column_span(None, "3")
    xml = b'<worksheet><cols><col min="2" max="3" hidden="1"/><col min="5" hidden="1"/></cols><sheetData/></worksheet>'
    assert hidden_columns(xml) == {2, 3, 5}
