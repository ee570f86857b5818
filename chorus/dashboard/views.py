"""The organiser's home: each of their organisations with its petitions and today's figures."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from chorus.dashboard.selectors import dashboard_for
from chorus.organisers.services import organisation_creation_allowed


@login_required
def dashboard(request):
    context = {
        "panels": dashboard_for(request.user),
        "can_create_organisation": organisation_creation_allowed(request.user),
    }
    return render(request, "dashboard/dashboard.html", context)
