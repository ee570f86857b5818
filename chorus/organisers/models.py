from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A group that runs campaigns: its members write petitions and stories under its name."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("petitions:organisation", args=[self.slug])


class Role(models.TextChoices):
    """What a member may do; each role may do everything the ones below it may."""

    VIEWER = "viewer", _("Viewer — sees petitions and their figures")
    EDITOR = "editor", _("Editor — also writes petitions and posts updates")
    OWNER = "owner", _("Owner — also manages members, exports and API keys")


ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.EDITOR)
    created_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        ordering = ["organisation__name", "user__email"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="one_membership_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    def allows(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


class Invitation(models.Model):
    """An owner's invitation to join an organisation, accepted through an e-mailed link."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations",
        verbose_name=_("organisation"),
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.EDITOR)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.role})"


class LoginFailure(models.Model):
    """A failed password or second-factor attempt, kept only while it counts towards a lockout.

    The account and the address are stored as keyed digests: the table must not
    become a list of who tried to log in from where.
    """

    class Kind(models.TextChoices):
        PASSWORD = "password", _("password")
        CODE = "code", _("second-factor code")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind)
    account_digest = models.CharField(_("account digest"), max_length=64)
    ip_digest = models.CharField(_("IP digest"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")
        indexes = [
            models.Index(fields=["kind", "account_digest", "created_at"],
                         name="loginfailure_account"),
            models.Index(fields=["kind", "ip_digest", "created_at"], name="loginfailure_ip"),
            models.Index(fields=["created_at"], name="loginfailure_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.account_digest[:12]} {self.created_at:%Y-%m-%d %H:%M}"


class OrganisationKey(models.Model):
    """The public half of an organisation's own key (the `age` format): signers' personal
    fields and exports are sealed to it, and only the private half, which never
    reaches the server, opens them.

    The newest key that is not retired seals; registering a new one retires the
    old, whose rows stay sealed to it until an owner re-seals them
    (`tools/chorus-open reseal`).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="keys",
        verbose_name=_("organisation"),
    )
    # "age1…": an X25519 recipient, as `age-keygen` prints it.
    recipient = models.CharField(_("public key"), max_length=100)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    retired_at = models.DateTimeField(_("replaced"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("organisation key")
        verbose_name_plural = _("organisation keys")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "recipient"],
                                    name="one_registration_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.fingerprint}"

    @property
    def fingerprint(self) -> str:
        """What owners compare with their key file: the recipient's start and end."""
        return f"{self.recipient[:12]}…{self.recipient[-6:]}"
