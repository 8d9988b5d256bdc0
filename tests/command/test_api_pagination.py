"""Command collections follow the API convention: page / page_size, {"items", "count"}."""

import pytest


@pytest.mark.parametrize("path", ["/api/v1/responses/", "/api/v1/tasks/", "/api/v1/roads/closures/"])
def test_collections_are_paginated(path, road_network, commander, api_client):
    client = api_client(commander)
    body = client.get(path + "?page=1&page_size=5").json()
    assert set(body) >= {"items", "count"} and len(body["items"]) <= 5
    too_big = client.get(path + "?page_size=1001")
    assert too_big.status_code == 400 and too_big.json()["error"]["code"] == "validation_failed"


def test_closures_without_a_road_network_say_what_to_do(commander, api_client):
    response = api_client(commander).get("/api/v1/roads/closures/")
    assert response.status_code == 404 and "yingji road import" in response.json()["error"]["message"]
