"""Local stand-ins for the vendors (WeCom, DingTalk, Feishu, a SendGrid-style
mail API, an SMTP server) that behave like them over real sockets on
127.0.0.1. Fixtures are in `tests.fakes.plugin`; register it from a top-level
conftest with `pytest_plugins = ["tests.fakes.plugin"]`, or
import its fixtures into a conftest.
"""
