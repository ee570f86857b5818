from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from chorus.lib.http import require_safe
from chorus.signatures.proof_of_work import services


# Fetched by the widget on petitions that ask for proof of work. Never cached
# (each challenge may be spent once) and it sets no cookie.
@never_cache
@require_safe
def challenge(request):
    return JsonResponse(services.challenge_create())
