"""The documents as LibreOffice prints them: page count, page sizes, extractable text.

Needs LibreOffice (Debian: libreoffice-writer) and poppler-utils or pypdf;
Chinese renders properly with fonts-noto-cjk. Skipped where they are absent.
"""
import re
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.slow

PAGES = {  # sane page counts for the sample data
    "report": range(6, 20), "signoff": range(1, 3), "supervision": range(1, 4),
    "interview": range(1, 4), "circular": range(2, 6), "referral": range(2, 5), "league": range(1, 4),
}
TITLES = {
    "report": "整改情况的报告", "signoff": "整改销号审批表", "supervision": "黄牌督办通知单",
    "interview": "约谈通知书", "circular": "整改进展情况的通报", "referral": "整改不力问题线索的函",
    "league": "排名表",
}


class _Pdf:
    """Page sizes and per-page text, from poppler-utils or else pypdf."""

    def __init__(self, path):
        self.path = path
        if shutil.which("pdftotext") and shutil.which("pdfinfo"):
            info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(path)], capture_output=True,
                                  text=True, check=True).stdout
            self.sizes = [(float(w), float(h)) for w, h in
                          re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
            self.texts = [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"],
                                         capture_output=True, text=True, check=True).stdout
                          for n in range(1, len(self.sizes) + 1)]
        else:
            pypdf = pytest.importorskip("pypdf", reason="neither pdftotext nor pypdf is available")
            reader = pypdf.PdfReader(str(path))
            self.sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
            self.texts = [p.extract_text() for p in reader.pages]
        self.flat = [re.sub(r"\s+", "", t) for t in self.texts]


@pytest.fixture(scope="module")
def pdfs(generated, tmp_path_factory):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (Debian package libreoffice-writer)")
    out = tmp_path_factory.mktemp("pdf")
    profile = tmp_path_factory.mktemp("lo-profile")
    subprocess.run([office, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, generated.values())],
                   check=True, capture_output=True, timeout=600)
    return {name: _Pdf(out / f"{name}.pdf") for name in generated}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_count_is_sane_and_text_extractable(pdfs, name):
    pdf = pdfs[name]
    assert len(pdf.sizes) in PAGES[name]
    everything = "".join(pdf.flat)
    assert TITLES[name] in everything
    assert "—1—" in pdf.flat[0]  # page number printed on the first page


def test_report_pages_are_a4_and_the_appendix_landscape_with_its_header_on_each_page(pdfs):
    pdf = pdfs["report"]
    portrait = [(w, h) for w, h in pdf.sizes if h > w]
    landscape = [i for i, (w, h) in enumerate(pdf.sizes) if w > h]
    for w, h in portrait:
        assert (round(w), round(h)) == (595, 842)
    assert len(landscape) >= 2, "the sample appendix should run over two pages"
    assert landscape == list(range(landscape[0], len(pdf.sizes)))  # the appendix comes last
    for i in landscape:
        for header in ("问题摘要", "已整改金额（元）", "佐证材料"):
            assert pdf.flat[i].count(header) == 1, (i, header)
    appendix = "".join(pdf.flat[i] for i in landscape)
    assert appendix.count("SJ2025") == 0 and "共12个问题" in appendix
    body = "".join(pdf.flat[:landscape[0]])
    for heading in ("一、总体情况", "二、逐项整改情况", "三、尚未整改到位的问题及原因", "四、下一步工作"):
        assert heading in body
    assert "X医保发〔2026〕12号" in body
