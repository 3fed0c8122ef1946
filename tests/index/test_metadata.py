import datetime as dt
from pathlib import Path

import pytest
from conftest import FILINGS, SEED, shared_or_skip

from index.errors import MetadataError
from index.loading import load_file
from index.metadata import infer_meta, meta_from_filename, meta_from_text
from index.records import DocumentMeta


@pytest.mark.parametrize(
    ("name", "company", "period", "form", "filing_date"),
    [
        ("APPLE_2022_10K.pdf", "APPLE", "FY2022", "10-K", None),
        ("EBAY_2023Q1_EARNINGS.pdf", "EBAY", "2023Q1", "earnings release", None),
        ("COMPANY_2023Q2_10Q.pdf", "COMPANY", "2023Q2", "10-Q", None),
        ("JOHNSON_JOHNSON_2021_10K.pdf", "JOHNSON JOHNSON", "FY2021", "10-K", None),
        ("MCDONALDS_8K_dated-2023-02-13.pdf", "MCDONALDS", None, "8-K", dt.date(2023, 2, 13)),
    ],
)
def test_meta_from_conventional_file_names(name, company, period, form, filing_date):
    meta = meta_from_filename(Path(name))
    assert (meta.company, meta.period, meta.form, meta.filing_date) == (company, period, form, filing_date)


def test_a_file_name_outside_the_convention_names_no_company():
    assert meta_from_filename(Path("notes from the call.txt")) == DocumentMeta()


def test_seed_metadata_is_inferred_from_its_text():
    text = load_file(SEED, 10**7).text
    meta = infer_meta(SEED, text, None)
    assert meta.company == "Aptorum Group Limited"
    assert meta.ticker == "APM"
    assert meta.form == "earnings release"
    assert meta.period == "2021H1"
    assert meta.period_end == dt.date(2021, 6, 30)
    assert meta.title == "Aptorum Group Limited earnings release 2021H1"


def test_ten_q_cover_page_wins_over_later_mentions_of_other_periods():
    text = ("FORM 10-Q\nFor the quarterly period ended July 1, 2023\nApple Inc.\n"
            "(Exact name of Registrant as specified in its charter)\n"
            "... as described in the 10-K for the fiscal year ended September 24, 2022 ...")
    meta = meta_from_text(text)
    assert (meta.form, meta.company, meta.period_end) == ("10-Q", "Apple Inc.", dt.date(2023, 7, 1))


@pytest.mark.parametrize("opening", [
    "The Company designs, develops and sells products.\n",
    "The Group today announced its results.\n",
    "THE CORPORATION (NYSE: XYZ) reported a loss.\n",
])
def test_a_filing_calling_itself_the_company_gets_no_company_name(opening):
    assert meta_from_text(opening + "Revenue for fiscal 2019 rose.").company is None


def test_real_filings_metadata():
    shared_or_skip()
    expected = {
        "APPLE_2023Q3_10Q.pdf": ("Apple Inc.", "AAPL", "10-Q", "2023Q3", dt.date(2023, 7, 1)),
        "EBAY_2023Q1_EARNINGS.pdf": ("eBay Inc.", "EBAY", "earnings release", "2023Q1", dt.date(2023, 3, 31)),
        "ORACLE_2023_10K.pdf": ("Oracle Corporation", None, "10-K", "FY2023", dt.date(2023, 5, 31)),
        "SALESFORCE_2024Q1_EARNINGS.pdf": ("Salesforce", "CRM", "earnings release", "2024Q1", dt.date(2023, 4, 30)),
    }
    for name, (company, ticker, form, period, period_end) in expected.items():
        loaded = load_file(FILINGS / name, 10**8)
        meta = infer_meta(FILINGS / name, loaded.text, None)
        assert (meta.company, meta.ticker, meta.form, meta.period, meta.period_end) == (company, ticker, form, period, period_end), name


def test_sidecar_overrides_inference_and_flags_override_the_sidecar(tmp_path):
    document = tmp_path / "release.txt"
    document.write_text("Acme Corp (NYSE: ACME) today reported results for the first quarter ended March 31, 2024.")
    (tmp_path / "release.meta.yaml").write_text("company: Acme Holdings\nform: 8-K\nperiod: 2024 Q1\n")
    meta = infer_meta(document, document.read_text(), None)
    assert (meta.company, meta.form, meta.period, meta.ticker) == ("Acme Holdings", "8-K", "2024Q1", "ACME")
    flagged = infer_meta(document, document.read_text(), None, DocumentMeta(company="Acme Flags"))
    assert flagged.company == "Acme Flags" and flagged.form == "8-K"


def test_a_sidecar_with_an_unknown_field_is_an_error_naming_it(tmp_path):
    document = tmp_path / "release.txt"
    document.write_text("Some text.")
    (tmp_path / "release.meta.yaml").write_text("compnay: Typo Inc\n")
    with pytest.raises(MetadataError, match=r"release\.txt: sidecar release\.meta\.yaml: compnay: unknown field"):
        infer_meta(document, "Some text.", None)


def test_a_sidecar_that_is_not_yaml_is_an_error(tmp_path):
    document = tmp_path / "release.txt"
    document.write_text("Some text.")
    (tmp_path / "release.meta.yaml").write_text("company: [unclosed\n")
    with pytest.raises(MetadataError, match=r"cannot read sidecar release\.meta\.yaml"):
        infer_meta(document, "Some text.", None)


def test_a_sidecar_with_a_bad_date(tmp_path):
    document = tmp_path / "release.txt"
    document.write_text("Some text.")
    (tmp_path / "release.meta.yaml").write_text("period_end: not-a-date\n")
    with pytest.raises(MetadataError, match=r"period_end"):
        infer_meta(document, "Some text.", None)
