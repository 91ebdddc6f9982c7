import pytest

from fangkong.access import services
from fangkong.testing.school import gated_school


@pytest.fixture(autouse=True)
def _fresh_key_ring():
    """Each test starts without a cached key ring (keys live in the rolled-back database)."""
    services.forget_keys()
    yield
    services.forget_keys()


@pytest.fixture
def school(db):
    return gated_school()
