"""The scenario of tests/reports/scenario.py, built once per database backend for the
tests of a module that only read it (each test writes its documents to its own folder)."""
import pytest

from tests.conftest import _empty_tables
from tests.reports import scenario as story


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def scenario(request, _migrated_engines, tmp_path_factory):
    if request.param not in _migrated_engines:
        pytest.skip("PostgreSQL server not reachable on 127.0.0.1:5432")
    engine = _migrated_engines[request.param]
    _empty_tables(engine)
    return story.build(engine, tmp_path_factory.mktemp(f"data-{request.param}"))
