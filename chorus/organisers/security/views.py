"""The second factor staff need for the admin and moderation pages, and their recovery codes."""

from base64 import b64encode
from functools import wraps
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice

from chorus.lib.http import allow_methods, client_ip, form_data
from chorus.organisers.security.forms import CodeForm, SecondFactorForm
from chorus.organisers.security.services import (
    otp_device_confirm,
    otp_device_for,
    otp_device_prepare,
    otp_secret,
    recovery_codes_create,
    recovery_codes_left,
    second_factor_check,
)

T = "organisers/security/"


def _next_url(request) -> str:
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    # Only our own pages: a link to this page must not send staff anywhere else.
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return url
    return reverse("moderation:queue")


def _with_next(view_name: str, next_url: str) -> str:
    return f"{reverse(view_name)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"


def _otp_login(request, device) -> None:
    # A new session key for the more powerful session, as Django does at login.
    request.session.cycle_key()
    django_otp.login(request, device)


def staff_only(view):
    """Log in first; only staff are asked for a second factor."""
    view = login_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _codes_page(request, codes: list[str], next_url: str, *, device_set_up: bool):
    # The only time the codes are shown: not kept in the session, not cached.
    context = {
        "codes": [f"{code[:4]} {code[4:]}" for code in codes],  # easier to copy by hand
        "next": next_url,
        "device_set_up": device_set_up,
    }
    response = render(request, T + "recovery_codes_new.html", context)
    add_never_cache_headers(response)
    return response


@allow_methods("GET", "POST")
@staff_only
def verify(request):
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    if otp_device_for(request.user) is None:
        return redirect(_with_next("organisers:security:setup", next_url))
    form = SecondFactorForm(form_data(request) if request.method == "POST" else None)
    if form.is_valid():
        try:
            device = second_factor_check(user=request.user, code=form.cleaned_data["code"],
                                         ip=client_ip(request))
        except ValidationError as error:
            form.add_error("code", error)
        else:
            _otp_login(request, device)
            if isinstance(device, StaticDevice):
                messages.warning(request, _("You came in with a recovery code; it is now used "
                                            "up and will not work again."))
                return redirect(_with_next("organisers:security:recovery_codes", next_url))
            return redirect(next_url)
    context = {"form": form, "next": next_url}
    return render(request, T + "verify.html", context, status=400 if form.errors else 200)


@allow_methods("GET", "POST")
@staff_only
def setup(request):
    next_url = _next_url(request)
    # Once a device is confirmed, only someone holding it (or a recovery code)
    # may go further: a stolen password must not be enough to enrol another one.
    if otp_device_for(request.user) is not None and not request.user.is_verified():
        return redirect(_with_next("organisers:security:verify", next_url))
    device = otp_device_prepare(user=request.user)
    form = CodeForm(form_data(request) if request.method == "POST" else None)
    if form.is_valid():
        try:
            codes = otp_device_confirm(user=request.user, device=device,
                                       code=form.cleaned_data["code"], ip=client_ip(request))
        except ValidationError as error:
            form.add_error("code", error)
        else:
            _otp_login(request, device)
            return _codes_page(request, codes, next_url, device_set_up=True)
    config_url = device.config_url
    context = {
        "form": form,
        "next": next_url,
        "config_url": config_url,
        "qr_code": _qr_data_uri(config_url),
        "secret": otp_secret(device),
    }
    return render(request, T + "setup.html", context, status=400 if form.errors else 200)


@allow_methods("GET", "POST")
@staff_only
def recovery_codes(request):
    next_url = _next_url(request)
    if not request.user.is_verified():
        return redirect(_with_next("organisers:security:verify", request.get_full_path()))
    if request.method == "POST":
        codes = recovery_codes_create(user=request.user)
        return _codes_page(request, codes, next_url, device_set_up=False)
    context = {"left": recovery_codes_left(request.user), "next": next_url}
    return render(request, T + "recovery_codes.html", context)


def _qr_data_uri(text: str) -> str:
    # Drawn here and inlined as an image: no request to another origin, no script.
    svg = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage).to_string()
    return "data:image/svg+xml;base64," + b64encode(svg).decode()
