"""The local HTTP server of the import tests, for the Import page's tests."""

from tests.imports.conftest import site  # noqa: F401 - a fixture
