from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def encryption_keys_check(app_configs, **kwargs):
    if settings.CHORUS_ENCRYPTION_KEYS:
        return []
    return [
        Warning(
            "CHORUS_ENCRYPTION_KEYS is not set: signers' addresses are encrypted with a key "
            "derived from SECRET_KEY.",
            hint="Generate a key with `manage.py generatekey` and set CHORUS_ENCRYPTION_KEYS.",
            id="chorus.W001",
        )
    ]


@register(Tags.security, deploy=True)
def signing_key_check(app_configs, **kwargs):
    if settings.CHORUS_SIGNING_KEY:
        return []
    return [
        Warning(
            "CHORUS_SIGNING_KEY is not set: the public log is signed with a key derived from "
            "SECRET_KEY.",
            hint="Generate a key with `manage.py generatesigningkey` and set CHORUS_SIGNING_KEY.",
            id="chorus.W002",
        )
    ]
