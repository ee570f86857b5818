import re


def link_in(message) -> str:
    """The path of the (one) site link in an e-mail's plain text."""
    from django.conf import settings

    urls = re.findall(re.escape(settings.SITE_URL) + r"(/\S+)", message.body)
    assert urls, message.body
    return urls[0]
