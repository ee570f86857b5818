"""From a posted sign form to a stored signature, the same for the petition page and the embed."""

import logging
from functools import wraps

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chorus.lib.database import UNREACHABLE, connections_reset, outage_log, retry_later
from chorus.lib.forms import bot_trap_filled
from chorus.lib.http import client_ip, form_data
from chorus.petitions.partners.selectors import partner_choices
from chorus.signatures import services, typos
from chorus.signatures.forms import SignatureForm, country_options
from chorus.signatures.proof_of_work import services as proof_of_work

logger = logging.getLogger(__name__)

EMAIL_CHOICE = "email_choice"
KEEP = "keep"


def _posted(request) -> QueryDict:
    data = form_data(request)
    # The answer to "Did you mean …?": the suggested address, or "keep" for the one typed.
    choice = data.get(EMAIL_CHOICE, "")
    if choice and choice != KEEP:
        data = data.copy()
        data["email"] = choice
    return data


def submit_signature(request, petition) -> SignatureForm | None:
    """Validate a posted sign form and record the signature; the form if invalid.

    Shared by the petition page and the embed, which differ only in what they
    show afterwards.
    """
    data = _posted(request)
    choice = data.get(EMAIL_CHOICE, "")
    form = SignatureForm(data)
    if not form.is_valid():
        return form
    if bot_trap_filled(data):
        # Valid to the bot, which learns nothing; the signature is not stored.
        logger.info("bot trap filled on petition %s; signature dropped", petition.pk)
        return None
    if not choice and (suggestion := typos.suggested_address(form.cleaned_data["email"])):
        # Not signed yet: the form comes back asking, with a button for each answer
        # (signatures/_sign_form.html).
        form.add_error("email", ValidationError(
            _("Did you mean %(suggested)s?"), params={"suggested": suggestion}, code="typo",
        ))
        form.email_suggestion = suggestion
        return form
    try:
        held_reason = proof_of_work.held_reason(
            petition=petition, payload=data.get(proof_of_work.FIELD_NAME, "")
        )
    except ValidationError as error:
        form.add_error(None, error)
        return form
    fields = dict(form.cleaned_data)
    partner_id, partner_opt_ins = partner_choices(
        petition, source=fields["source"], requested=fields.pop("partner_updates"),
    )
    services.signature_create(
        petition_id=petition.pk, **fields, ip=client_ip(request),
        language=get_language() or "", held_reason=held_reason,
        partner_id=partner_id, partner_opt_ins=partner_opt_ins,
    )
    proof_of_work.proof_of_work_check_now_and_then(petition.pk)
    return None


def keeps_the_form_when_the_database_is_down(template: str):
    """Decorate a sign view: while the database cannot be reached, the form comes back
    filled in as posted, with a 503, rather than the signer's typing being lost.

    Nothing is half-written: the signature is one INSERT in its own transaction
    (services.signature_create), so it is stored whole or not at all. `template`
    gets the form and `sign_url`, says why, and must not query (no user menu, no
    messages): the petition itself may be what could not be read.
    """

    def decorator(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except UNREACHABLE as error:
                connections_reset()
                outage_log(error, f"{request.method} {request.resolver_match.view_name}")
            form = SignatureForm(_posted(request))
            context = {"form": form, "sign_url": request.path,
                       "country_options": country_options(form["country"].value() or "")}
            return retry_later(render(request, template, context))

        return guarded

    return decorator
