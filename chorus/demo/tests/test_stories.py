"""The demo stories: one about the court case, one about the helpline in two languages."""

from chorus.demo.services import load_demo
from chorus.demo.stories import load_demo_stories
from chorus.stories.models import Story


def test_the_demo_stories_are_published_and_readable(client, db, settings):
    organisation = load_demo()
    court, helpline = load_demo_stories(organisation)
    assert set(Story.objects.published()) == {court, helpline}
    assert [tag.slug for tag in court.tags.all()] == ["court"]
    assert [p.slug for p in court.petitions.all()] == ["stop-the-liquidation"]
    assert court.image
    assert client.get(court.get_absolute_url()).status_code == 200
    russian = client.get(helpline.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru")
    assert "Горячая линия отвечает на каждый звонок" in russian.content.decode()
