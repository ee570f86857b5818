"""What partner sites put on their pages: the embedded petition, a badge, oEmbed."""

from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import patch_cache_control
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override

from chorus.lib.hosts import configured_hosts, origin_for, site_url
from chorus.lib.http import (
    cached_page,
    leave_no_trace,
    private_preview,
    public_data,
    public_page,
    require_safe,
    same_site_post,
)
from chorus.lib.translations import translated
from chorus.petitions.previews.services import preview_link_use
from chorus.petitions.selectors import (
    PetitionTakenDown,
    public_page_key,
    public_petition,
    public_petition_or_404,
)
from chorus.petitions.takedown import taken_down_response
from chorus.signatures.forms import SignatureForm, country_options, is_valid_source
from chorus.signatures.signing import keeps_the_form_when_the_database_is_down, submit_signature

EMBED_HEIGHT = 560


def embeddable(view):
    """Let any site frame this view (and only this view)."""

    @wraps(view)
    def framed(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PetitionTakenDown as gone:
            # Answered here rather than by the middleware, so that the notice may be
            # framed too: the partner's readers see it, not a broken frame.
            return taken_down_response(request, gone.petition, template="embeds/taken_down.html")

    return xframe_options_exempt(
        csp_override({**settings.SECURE_CSP, "frame-ancestors": ["*"]})(framed)
    )


def _render_embed(request, petition, form, status=200):
    # The partner's readers see the card in their browser's language (the frame
    # has no cookie of ours), the count shared with every other version.
    context = {
        "petition": translated(petition),
        "form": form,
        "country_options": country_options(form["country"].value() or ""),
    }
    return render(request, "embeds/embed.html", context, status=status)


@embeddable
@public_page
def embed(request, slug):
    petition = public_petition_or_404(slug)
    source = request.GET.get("source", "")
    source = source if is_valid_source(source) else ""
    return cached_page(
        public_page_key("embed-page", petition, source),
        lambda: _render_embed(request, petition, SignatureForm(initial={"source": source})),
    )


@embeddable
@private_preview
@require_safe
def preview(request, slug, token):
    """The embed before the opening, for a preview-link holder: "Opens on …" for the form.

    Once the petition is public, any token here leads to the ordinary embed, so a frame
    pasted before the launch works after it (and after the link expires)."""
    if public_petition(slug) is not None:
        return redirect("embeds:embed", slug=slug)
    petition = preview_link_use(slug=slug, token=token)
    if petition is None:
        raise Http404
    context = {"petition": translated(petition), "form": SignatureForm(), "preview": True,
               "country_options": country_options("")}
    return render(request, "embeds/embed.html", context)


# Signing inside a partner's iframe works without cookies: the form is posted
# from our own framed page, so the browser marks it same-origin (see
# chorus.lib.http.is_cross_site); a page of the partner's cannot forge that.
@embeddable
@same_site_post("signatures/cross_site.html")
@keeps_the_form_when_the_database_is_down("embeds/sign_unavailable.html")
def sign(request, slug):
    petition = public_petition_or_404(slug)
    if not petition.is_signable:
        return _render_embed(request, petition, SignatureForm(), status=409)
    invalid = submit_signature(request, petition)
    if invalid is not None:
        return _render_embed(request, petition, invalid, status=400)
    return redirect("embeds:thanks", slug=petition.slug)


@embeddable
@leave_no_trace
def thanks(request, slug):
    petition = public_petition_or_404(slug)
    return render(request, "embeds/thanks.html", {"petition": translated(petition)})


@public_page  # the words "signatures" are in the reader's language
def badge(request, slug):
    """A count-only badge, an SVG any page can show with an <img>."""
    petition = public_petition_or_404(slug)
    text = ngettext("%(count)s signature", "%(count)s signatures", petition.signature_count) % {
        "count": number_format(petition.signature_count, force_grouping=True)
    }
    width = 24 + 8 * len(text)
    svg = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="28" role="img" '
        'aria-label="{text}"><title>{text}</title>'
        '<rect width="{w}" height="28" rx="6" fill="#5b2a86"/>'
        '<text x="{x}" y="19" text-anchor="middle" font-family="sans-serif" font-size="14" '
        'fill="#fff">{text}</text></svg>',
        w=width, x=width // 2, text=text,
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=60)
    return response


def snippet(petition, source: str = "", *, preview_token: str = "") -> str:
    """The code a partner pastes. With a preview token it frames the preview embed, which
    after the opening sends the frame on to the ordinary embed: a journalist can paste it
    into a story before the launch and it keeps working after."""
    query = f"?{urlencode({'source': source})}" if source else ""
    path = (reverse("embeds:preview", args=[petition.slug, preview_token]) if preview_token
            else reverse("embeds:embed", args=[petition.slug]) + query)
    src = site_url() + path
    # Escaped: a partner pastes this into their page, and the title is organisers' text.
    return format_html(
        '<iframe src="{}" title="{}" width="100%" height="{}" loading="lazy" '
        "data-chorus-embed></iframe>\n"
        '<script src="{}" async></script>',
        src, petition.title, EMBED_HEIGHT, site_url() + static("js/embed.js"),
    )


@public_data
def oembed(request):
    """oEmbed (https://oembed.com) for petition links."""
    url = request.GET.get("url", "")
    if request.GET.get("format", "json") != "json":
        return JsonResponse({"error": _("Only the JSON format is available.")}, status=501)
    parts = urlsplit(url)
    # Any of the site's own hosts (a mirror, the onion address), and no other.
    if f"{parts.scheme}://{parts.netloc}".lower() not in map(origin_for, configured_hosts()):
        raise Http404
    try:
        match = resolve(parts.path)
    except Resolver404:
        raise Http404 from None
    if match.view_name != "signatures:petition":
        raise Http404
    petition = public_petition_or_404(match.kwargs["slug"])
    response = JsonResponse({
        "version": "1.0",
        "type": "rich",
        "provider_name": settings.SITE_NAME,
        "provider_url": site_url(),
        "title": petition.title,
        "html": snippet(petition),
        "width": 480,
        "height": EMBED_HEIGHT,
    })
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=300)
    return response


@public_page
def share(request, slug):
    """For partners and organisers: a link with a campaign code, and the embed snippet."""
    petition = translated(public_petition_or_404(slug))
    source, error = request.GET.get("source", ""), ""
    if source and not is_valid_source(source):
        source, error = "", _("Use only letters, digits, - and _ (at most 64 characters).")
    link = site_url() + petition.get_absolute_url()
    if source:
        link += f"?{urlencode({'source': source})}"
    badge_url = site_url() + reverse("embeds:badge", args=[petition.slug])
    badge_snippet = format_html('<a href="{}"><img src="{}" alt="{}"></a>',
                                link, badge_url, petition.title)
    context = {"petition": petition, "source": source, "error": error, "link": link,
               "snippet": snippet(petition, source), "badge_snippet": badge_snippet}
    return render(request, "embeds/share.html", context)
