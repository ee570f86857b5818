"""Staff pages for replies under stories: the queue, decisions, and a story's replies."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chorus.lib.http import allow_methods, form_data, require_post
from chorus.moderation.replies.forms import ReplyBulkForm, ReplyDecisionForm
from chorus.organisers.permissions import staff_required
from chorus.stories.models import Reply, Story
from chorus.stories.replies import selectors as reply_selectors
from chorus.stories.replies.services import replies_moderate, reply_moderate

QUEUE_PAGE_SIZE = 50


def _back(request):
    """Back to the page the decision was made on (the queue or a story's replies)."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return redirect(target)
    return redirect("moderation:replies:queue")


@staff_required
@allow_methods("GET")
def replies(request):
    queue = reply_selectors.replies_awaiting_moderation()
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "moderation/replies/queue.html",
                  {"page": page, "bulk_form": ReplyBulkForm()})


@staff_required
@require_post
def reply_decide(request, pk):
    reply = get_object_or_404(Reply, pk=pk)
    form = ReplyDecisionForm(form_data(request))
    if not form.is_valid():
        return render(request, "moderation/replies/invalid.html", {"form": form}, status=400)
    reply_moderate(reply=reply, moderator=request.user, state=form.cleaned_data["state"])
    messages.success(request, _("Reply by %(name)s: %(decision)s.") % {
        "name": reply.name, "decision": Reply.State(form.cleaned_data["state"]).label})
    return _back(request)


@staff_required
@require_post
def replies_bulk(request):
    form = ReplyBulkForm(form_data(request))
    if not form.is_valid():
        return render(request, "moderation/replies/invalid.html", {"form": form}, status=400)
    state = form.cleaned_data["state"]
    decided = replies_moderate(replies=form.cleaned_data["replies"], moderator=request.user,
                               state=state)
    messages.success(request, ngettext("%(count)d reply: %(decision)s.",
                                       "%(count)d replies: %(decision)s.", decided)
                     % {"count": decided, "decision": Reply.State(state).label})
    return _back(request)


@staff_required
@allow_methods("GET")
def story_replies(request, slug):
    story = get_object_or_404(Story, slug=slug)
    page = Paginator(reply_selectors.story_replies_for_staff(story), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "moderation/replies/story.html", {"story": story, "page": page})
