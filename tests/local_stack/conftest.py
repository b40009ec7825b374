"""Tests of the local stack's emulators (newsdigest_local: template reading, API Gateway events, the stream
event source mapping), not of the service. Pure Python, no sockets: they run with the unit tier."""

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/local_stack/" in str(item.fspath):
            item.add_marker(pytest.mark.local_stack)
