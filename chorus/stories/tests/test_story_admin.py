"""Staff manage tags and stories, with their translations, in the admin."""

from chorus.stories.models import Story, StoryTranslation
from chorus.testing import make_user


def test_staff_see_a_story_with_its_translations_in_the_admin(client, db):
    admin = make_user("ada.admin@example.org", staff=True)
    admin.is_superuser = True
    admin.save()
    story = Story.objects.create(slug="hearing", title="Hearing postponed", body="x")
    StoryTranslation.objects.create(story=story, language="ru", title="Слушание отложено")
    client.force_login(admin)
    assert "Hearing postponed" in client.get("/admin/stories/story/").content.decode()
    change = client.get(f"/admin/stories/story/{story.pk}/change/").content.decode()
    assert "Слушание отложено" in change
    assert client.get("/admin/stories/tag/").status_code == 200
