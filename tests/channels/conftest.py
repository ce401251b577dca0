# The fakes' fixtures, until a top-level conftest registers tests.fakes.plugin for every test folder.
from tests.fakes.plugin import *  # noqa: F401,F403
