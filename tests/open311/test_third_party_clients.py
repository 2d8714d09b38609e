"""The endpoint as real Open311 clients from PyPI see it, over HTTP against a live server.

* ``georeport`` (0.3, Python 3.9+): services, service definitions and requests, in JSON and XML.
* ``three`` (0.8, Code for America) also posts requests and reads tokens. It was written for
  Python 2: the shim below gives it ``itertools.ifilter`` (the only thing it lacks on 3.11
  in JSON mode); nothing else of it is changed.
"""
import itertools

import pytest
from georeport import GeoReport

from cases.models import Case, Channel

itertools.ifilter = filter  # three 0.8 imports it at module level (Python 2's lazy filter)
from three import Three  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def root(live_server, world):
    return f"{live_server.url}/open311/v2"


def test_three_posts_a_request_and_follows_its_token(root, world):
    client = Three(root, api_key=world.key)
    created = client.post("street-lighting", lat="10.776889", long="106.700806", first_name="Bình",
                          last_name="Trần", description="Đèn đường tắt cả tuần.",
                          address_string="45 Lê Lợi, Phường Bến Thành",
                          **{"attribute[pole_number]": "C-12", "attribute[publish_consent]": "true"})
    assert client.post_response.status_code == 201
    request_id, token = created[0]["service_request_id"], created[0]["token"]
    case = Case.objects.get(pk=request_id)
    assert case.channel == Channel.WEB and case.kind == "feedback" and case.receiving_unit == world.province

    assert client.token(token) == [{"service_request_id": request_id, "token": token}]
    detail = client.request(request_id)[0]
    assert detail["status"] == "open" and detail["address"] == "Lê Lợi, Phường Bến Thành"
    assert detail["description"] == "Đèn đường tắt cả tuần."
    assert [row["service_request_id"] for row in client.requests("street-lighting")] == [request_id]
    assert any(row["service_code"] == "street-lighting" for row in client.services())


def test_three_is_refused_without_a_valid_key(root, world):
    client = Three(root, api_key="not-a-key")
    answer = client.post("waste", address_string="Lê Lợi")
    assert client.post_response.status_code == 403
    assert answer[0]["code"] == 403
    assert not Case.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_services_definitions_and_requests(root, world, fmt):
    poster = Three(root, api_key=world.key)
    first = poster.post("noise", address_string="Số 7 Hàng Bạc, Hoàn Kiếm", description="Karaoke tới 2 giờ sáng",
                        phone="0912345678", first_name="Cúc", last_name="Lê",
                        **{"attribute[time_of_day]": "night"})[0]["service_request_id"]
    second = poster.post("waste", lat="21.0", long="105.8")[0]["service_request_id"]

    client = GeoReport(root, output_format=fmt)
    services = client.get_service_list()
    assert {"noise", "waste", "road-damage"} <= {row["service_code"] for row in services}
    definition = client.get_service_definition("noise")
    attributes = definition["attributes"]["attribute"] if fmt == "xml" else definition["attributes"]
    assert [a["code"] for a in attributes] == ["time_of_day", "publish_consent"]

    rows = client.get_service_requests()
    assert sorted(row["service_request_id"] for row in rows) == sorted([first, second])
    only = client.get_service_requests(service_request_id=first, status="closed")
    only = [only] if isinstance(only, dict) else only  # xmltodict: one element is a dict
    assert [row["service_request_id"] for row in only] == [first]
    one = client.get_service_request(first)
    one = one[0] if isinstance(one, list) else one
    assert one["status"] == "open" and one["address"] == "Hàng Bạc, Hoàn Kiếm"
    assert one["description"] in (None, "") and "Cúc" not in str(rows) and "0912345678" not in str(rows)
