"""The reader's side of replies: the form under a story posts here."""

from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from chorus.lib.http import client_ip, form_data, same_site_post
from chorus.lib.translations import translated
from chorus.stories.models import Story
from chorus.stories.replies.forms import ReplyForm
from chorus.stories.replies.services import reply_create


def _replied(story: Story) -> HttpResponseRedirect:
    # The same answer for a pending reply, a published one and a dropped bot's,
    # so it never tells whether an address has written approved replies before.
    response = HttpResponseRedirect(f"{story.get_absolute_url()}?replied=1#replies")
    response.status_code = 303
    return response


# No CSRF cookie: the story page is cached and served to every reader, so it
# carries no token. The browser's Origin / Sec-Fetch-Site headers show whether
# the form was posted from a page of ours instead (as for signing).
@same_site_post("stories/replies/cross_site.html")
def create(request, slug):
    story = get_object_or_404(Story.objects.published(), slug=slug)
    if not story.replies_open:
        return render(request, "stories/replies/closed.html",
                      {"story": translated(story)}, status=409)
    form = ReplyForm(form_data(request), story=story)
    if form.is_bot():
        return _replied(story)
    if not form.is_valid():
        return render(request, "stories/replies/form.html",
                      {"story": translated(story), "form": form}, status=400)
    reply_create(story=story, **form.cleaned_data, ip=client_ip(request),
                 language=get_language() or "")
    return _replied(story)
