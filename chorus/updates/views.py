from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt

from chorus.lib.http import allow_methods, form_data, require_post
from chorus.lib.markdown import render_markdown
from chorus.petitions.permissions import petition_for_member
from chorus.signatures.models import Signature
from chorus.updates import services
from chorus.updates.forms import UpdateForm
from chorus.updates.models import Update
from chorus.updates.selectors import consenting_signatures


@login_required
@allow_methods("GET", "POST")
def create(request, slug):
    """Write an update, preview it (without JavaScript), then post it."""
    petition, _membership = petition_for_member(request.user, slug, "editor")
    if not petition.is_public:
        return render(request, "updates/not_public.html", {"petition": petition}, status=409)
    recipients = consenting_signatures(petition.pk).count()
    context = {"petition": petition, "recipients": recipients}
    if request.method == "GET":
        return render(request, "updates/create.html", {**context, "form": UpdateForm(
            recipients=recipients)})
    form = UpdateForm(form_data(request), recipients=recipients)
    if form.is_valid() and "preview" in request.POST:
        preview = render_markdown(form.cleaned_data["body"])
        return render(request, "updates/create.html", {**context, "form": form,
                                                       "preview": preview})
    if form.is_valid():
        try:
            services.update_publish(petition=petition, author=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The update is on the petition page."))
            return redirect("petitions:manage:detail", slug=petition.slug)
    return render(request, "updates/create.html", {**context, "form": form}, status=400)


@require_post
@login_required
def mail(request, slug, pk):
    """E-mail an update that was posted without it; one mailing per update."""
    petition, _membership = petition_for_member(request.user, slug, "editor")
    update = get_object_or_404(Update, pk=pk, petition=petition)
    try:
        mailing = services.mailing_start(update=update, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, ngettext(
            "The update is being e-mailed to %(count)s signer.",
            "The update is being e-mailed to %(count)s signers.",
            mailing.recipients,
        ) % {"count": mailing.recipients})
    return redirect("petitions:manage:detail", slug=petition.slug)


# Without CSRF: one-click unsubscribe (RFC 8058) is a POST from the signer's
# mail provider, which has no cookie of ours. The signed token is the proof;
# the worst a forged POST can do is stop someone's update e-mails.
@csrf_exempt
@allow_methods("GET", "POST")
def unsubscribe(request, token):
    """GET shows a button; only the POST unsubscribes, so mail scanners cannot."""
    try:
        signature = services.signature_from_unsubscribe_token(token)
    except (signing.BadSignature, ValueError, Signature.DoesNotExist):
        return render(request, "updates/unsubscribe_invalid.html", status=404)
    context = {"petition": signature.petition, "signature": signature, "token": token}
    if request.method == "POST":
        services.signature_unsubscribe(signature=signature)
        return render(request, "updates/unsubscribed.html", context)
    return render(request, "updates/unsubscribe.html", context)
