from django.conf import settings
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag


class PublicApiMiddleware:
    """Makes the read API cacheable and readable from any site, and cookie-free.

    Only for GET and HEAD under /api/: CORS for everyone, a short public cache,
    an ETag (and 304 answers to If-None-Match).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/") or request.method not in ("GET", "HEAD"):
            return response
        response["Access-Control-Allow-Origin"] = "*"
        if response.status_code == 200 and not response.streaming:
            patch_cache_control(response, public=True, max_age=settings.CHORUS_PUBLIC_MAX_AGE)
            set_response_etag(response)
            return get_conditional_response(request, etag=response["ETag"], response=response)
        return response
