"""/report_year and /digest of a TT57-2026 plan, through the bot: the report in Biểu 2's
terms with criterion 1.4's indicator and codes MC.x.y.zz, the evidence ZIP by code, the
digest's 1.4 line (the harness's clock: 01/12/2026, school year 2026-2027)."""

from __future__ import annotations

import io
import zipfile

import docx

from bot.services.files import FileStore
from tests.conftest import TOKEN
from tests.unit.test_signed_documents import _all_text
from tests.unit.test_tt57_report import seed

P = 71  # the seeded principal


async def test_report_year_and_digest_of_a_tt57_plan(harness, settings):
    seed(harness.db, store=FileStore(settings.files_dir))
    harness.user(P, "Hân")
    report, archive = await harness.send(P, "/report_year")
    assert report["document"]["file_name"] == "bao-cao-ket-qua-2026-2027.docx"
    assert report["caption"] == "Báo cáo kết quả năm học 2026-2027: hoàn thành 5/7 nội dung."
    content = harness.core.file_content(TOKEN, f"documents/{report['document']['file_id']}")
    words = _all_text(docx.Document(io.BytesIO(content)))
    assert "tổng số nhiệm vụ cải tiến theo kế hoạch: 5/7 (71,4 %)" in words
    assert "Mức độ thực hiện (10): Chưa hoàn thành" in words and "MC.4.0.01" in words
    assert archive["document"]["file_name"] == "minh-chung-2026-2027.zip"
    content = harness.core.file_content(TOKEN, f"documents/{archive['document']['file_id']}")
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert "MC.1.3/MC.1.3.01 - bang-tin.pdf" in names and len(names) == 6
    [digest] = await harness.send(P, "/digest")
    assert (
        "• Chưa báo cáo: 1\n🎯 Tiêu chí 1.4: 5/7 nhiệm vụ cải tiến hoàn thành" in digest["caption"]
    )
    assert "• 3.3 — Lớp bơi an toàn — chưa phân công" in digest["caption"]  # by its Nội dung
