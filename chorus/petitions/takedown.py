"""What the public addresses of a petition the moderators took down answer: 410 Gone.

One notice for all of them (the page, its embed, the .json figures, the API):
it says that the moderators removed it, and why only if they chose to show
the reason. Never the title (it may be what had to go) nor the moderators' note.
"""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from chorus.petitions.models import Petition
from chorus.petitions.selectors import PetitionTakenDown


def taken_down_notice(petition: Petition) -> dict:
    """The notice as JSON: `detail` like every other API error, and the published reason."""
    return {
        "detail": _("This petition was removed by the moderators."),
        "reason": petition.public_takedown_reason or None,
    }


def taken_down_response(request, petition: Petition, *,
                        template: str = "petitions/taken_down.html") -> HttpResponse:
    if request.path.endswith(".json"):
        response = JsonResponse(taken_down_notice(petition), status=410)
        # Partner sites poll these from their readers' browsers: let them read why.
        response["Access-Control-Allow-Origin"] = "*"
        return response
    context = {"reason": petition.public_takedown_reason}
    return render(request, template, context, status=410)


class TakenDownMiddleware:
    """Answers PetitionTakenDown, wherever a public view raised it, with the notice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PetitionTakenDown):
            return taken_down_response(request, exception.petition)
        return None
