from chorus.signatures.models import Signature


def consenting_signatures(petition_id: int):
    """The signatures that may be e-mailed updates, read at the moment of asking.

    A signer who unsubscribes, withdraws or is erased drops out of this at
    once, including halfway through a mailing.
    """
    return Signature.objects.filter(
        petition_id=petition_id, state=Signature.State.CONFIRMED, updates=True
    )
