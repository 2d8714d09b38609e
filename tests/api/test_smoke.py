import pytest

from tests.api.conftest import api_as

pytestmark = pytest.mark.django_db


def test_list_and_detail(world, complaint):
    client = api_as(world.handler)
    response = client.get("/api/v1/cases/")
    assert response.status_code == 200, response.content
    print(response.json())
    response = client.get(f"/api/v1/cases/{complaint.pk}/")
    assert response.status_code == 200, response.content
    print(response.json())
    response = client.get(f"/api/v1/cases/{complaint.pk}/actions/")
    print(response.json())
