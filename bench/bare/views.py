"""Views as a Django tutorial would write them; the baseline Chorus is compared with."""

from django import forms
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django_countries import countries

COUNTRY_CHOICES = list(countries)


class SignForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254)
    country = forms.ChoiceField(choices=COUNTRY_CHOICES)
    updates = forms.BooleanField(required=False)


@csrf_exempt  # as Chorus's sign view: no CSRF cookie on a first visit
def sign(request):
    form = SignForm(request.POST)
    if not form.is_valid():
        return render(request, "page.html", {"form": form}, status=400)
    data = form.cleaned_data
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bare_signature (name, email, country, updates, created_at) "
            "VALUES (%s, %s, %s, %s, now()) ON CONFLICT (email) DO NOTHING",
            [data["name"], data["email"], data["country"], data["updates"]],
        )
    return redirect("/thanks/")


def thanks(request):
    return render(request, "page.html", {"thanks": True})


def page(request):
    """5 KB of text: lighter than any petition page."""
    return render(request, "page.html", {"title": "A petition", "count": 1_000_000})


def petition(request):
    """What a petition page shows: its text and count, and the sign form of `sign` with its
    249 countries, written out by a loop in the template (`{{ form }}` renders each option
    through a template of its own: seven times slower still)."""
    return render(request, "page.html", {"title": "A petition", "count": 1_000_000,
                                         "countries": COUNTRY_CHOICES})


_COUNT = {"count": 1_000_000}


def count(request):
    return JsonResponse(_COUNT)
