"""Every document is generated once per session from the county audit sample and read back."""
import pytest
from docx import Document

from notices.documents.circular import build_circular
from notices.documents.closure_report import build_closure_report
from notices.documents.interview_notice import build_interview_notice
from notices.documents.league_table import build_league_table
from notices.documents.referral import build_referral
from notices.documents.signoff_form import build_signoff_form
from notices.documents.supervision_notice import build_supervision_notice
from tests.documents import samples

BUILDERS = {
    "report": (build_closure_report, samples.county_report),
    "signoff": (build_signoff_form, samples.signoff_form),
    "supervision": (build_supervision_notice, samples.supervision_notice),
    "interview": (build_interview_notice, samples.interview_notice),
    "circular": (build_circular, samples.circular),
    "referral": (build_referral, samples.referral),
    "league": (build_league_table, samples.league_table),
}


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """name -> path of the .docx written by its builder."""
    folder = tmp_path_factory.mktemp("documents")
    paths = {}
    for name, (build, data) in BUILDERS.items():
        target = folder / f"{name}.docx"
        returned = build(data(), target)
        assert returned == target and target.stat().st_size > 0
        paths[name] = target
    return paths


@pytest.fixture(scope="session")
def docs(generated):
    """name -> python-docx Document read back from disk."""
    return {name: Document(path) for name, path in generated.items()}
