"""From a posted sign form to a stored signature, the same for the petition page and the embed."""

import logging

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chorus.lib.forms import bot_trap_filled
from chorus.lib.http import client_ip, form_data
from chorus.signatures import services, typos
from chorus.signatures.forms import SignatureForm
from chorus.signatures.proof_of_work import services as proof_of_work

logger = logging.getLogger(__name__)

EMAIL_CHOICE = "email_choice"
KEEP = "keep"


def submit_signature(request, petition) -> SignatureForm | None:
    """Validate a posted sign form and record the signature; the form if invalid.

    Shared by the petition page and the embed, which differ only in what they
    show afterwards.
    """
    data = form_data(request)
    # The answer to "Did you mean …?": the suggested address, or "keep" for the one typed.
    choice = data.get(EMAIL_CHOICE, "")
    if choice and choice != KEEP:
        data = data.copy()
        data["email"] = choice
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
    services.signature_create(
        petition_id=petition.pk, **form.cleaned_data, ip=client_ip(request),
        language=get_language() or "", held_reason=held_reason,
    )
    proof_of_work.proof_of_work_check_now_and_then(petition.pk)
    return None
