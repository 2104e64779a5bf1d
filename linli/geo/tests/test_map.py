def test_grid_map_lists_grids_with_their_workers(world, login, django_assert_max_num_queries):
    client = login("community_worker")
    with django_assert_max_num_queries(12):
        page = client.get("/geo/map/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<path") == 3
    assert world.grid_a1.unit_code in html
    assert "grid_worker" in html  # the persona's name in the worker column
