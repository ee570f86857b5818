from functools import wraps

from django.shortcuts import render


def require_post(view):
    """Like Django's require_POST, but answers with a page that says why."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            response = render(request, "405.html", status=405)
            response["Allow"] = "POST"
            return response
        return view(request, *args, **kwargs)

    return wrapper


def client_ip(request) -> str:
    # X-Forwarded-For is not trusted here: only the direct peer's address.
    return request.META.get("REMOTE_ADDR", "")
