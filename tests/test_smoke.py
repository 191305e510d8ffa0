import pytest


@pytest.mark.django_db
def test_home_page_shows_programme_timeline(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Construction — first stage" in response.content.decode()
