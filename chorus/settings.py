"""Chorus settings.

Everything an operator changes is read from the environment; the defaults run a
development site on SQLite with no other server. See docs/configuration.md.
"""

from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from chorus.lib.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CHORUS_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set SECRET_KEY, or DEBUG=1 for a development site.")
    SECRET_KEY = "development-only-not-secret-" + "x" * 40  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# More hosts answering as the same site (an .onion address, mirror domains):
# chorus/lib/hosts.py. Each is allowed as a Host; links follow the visitor's host.
CHORUS_SITE_HOSTS = env_list("CHORUS_SITE_HOSTS")
ALLOWED_HOSTS += [
    host.split("://")[-1].split("/")[0].split(":")[0] for host in CHORUS_SITE_HOSTS
]
# Where "Leave this page" sends a signer of a sensitive petition: a neutral site.
CHORUS_QUICK_EXIT_URL = env_str("CHORUS_QUICK_EXIT_URL", "https://www.wikipedia.org/")
SITE_NAME = env_str("SITE_NAME", "Chorus")
# Who runs this site and how to reach them: the About, Privacy and Contact pages say so.
CHORUS_OPERATOR_NAME = env_str("CHORUS_OPERATOR_NAME", SITE_NAME)
CHORUS_CONTACT_EMAIL = env_str("CHORUS_CONTACT_EMAIL", "")

INSTALLED_APPS = [
    # Django's admin, behind our throttled login and the staff second factor.
    "chorus.adminsite.ChorusAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "django_tasks_db",
    # Second factor for staff (TOTP, and recovery codes): chorus/organisers/security/.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # In dependency order (docs/architecture.md): each app imports only those above it.
    "chorus.audit",
    "chorus.organisers",
    "chorus.petitions",
    "chorus.signatures",
    "chorus.updates",
    "chorus.stories",
    "chorus.moderation",
    "chorus.dashboard",
    "chorus.api",
    "chorus.embeds",
    "chorus.about",
    "chorus.periodic",
    "chorus.demo",
    "ninja",
]

MIDDLEWARE = [
    # First, so that it decides Cache-Control and Vary for every response, the 503 page
    # and what every other middleware added included (lib/middleware.py).
    "chorus.lib.middleware.CacheHeadersMiddleware",
    # Django's SecurityMiddleware, right for each host (onion, mirrors): lib/hosts.py.
    # Its deployment checks are in lib/checks.py (Django's look for their own by name).
    "chorus.lib.hosts.SiteSecurityMiddleware",
    "chorus.lib.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Position-independent; this high, its header is on the database-down page too.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Outside every middleware that queries (sessions, authentication, the staff
    # session), so that their failures become the 503 page too; inside the security
    # headers, so that page has them. Static files never need the database.
    "chorus.lib.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "chorus.organisers.security.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "chorus.api.middleware.PublicApiMiddleware",
    "chorus.petitions.takedown.TakenDownMiddleware",
]

# The anonymous path (chorus/wsgi.py): a signature POST, or a cookie-less GET of a
# petition's public pages, passes only these. Signers and such readers have no session,
# no CSRF cookie (the sign views check Origin instead), no messages and no account, so
# the middleware for those would only cost time in the rush.
ANONYMOUS_MIDDLEWARE = [
    path for path in MIDDLEWARE if path not in {
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django_otp.middleware.OTPMiddleware",
        "chorus.organisers.security.middleware.StaffSessionMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "chorus.api.middleware.PublicApiMiddleware",
    }
]

ROOT_URLCONF = "chorus.urls"
WSGI_APPLICATION = "chorus.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chorus.lib.context_processors.site",
            ],
            "builtins": ["chorus.lib.template_filters"],
        },
    }
]

# Databases: SQLite by default, PostgreSQL in production via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'chorus.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE avoids
    # "database is locked" upgrades from read to write inside a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
elif env_bool("DATABASE_TRANSACTION_POOLER", False):
    # Behind PgBouncer in transaction mode (docs/deploy.md) each transaction may run on
    # another server connection: nothing may outlive one. Django's named cursors
    # (iterator()) would, and so would the statements psycopg prepares on its own
    # after a few runs. Chorus itself takes only transaction-level advisory locks
    # and issues no SET outside a transaction.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "chorus",
    }
}
if env_str("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("REDIS_URL"),
    }

# Background work: the database is the queue, so no other server is needed.
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages
LANGUAGE_CODE = "en"
# Arabic ships as an interface skeleton (right to left); see docs/languages.md.
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["chorus.lib.formats"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_TZ = True

# Static and uploaded files, all served from our own origin.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "chorus.lib.storage.MediaStorage"},
    # Files for their owners only (delivery documents): outside MEDIA_ROOT, which
    # the web server may serve to anyone, and handed out only by an owner's view.
    "private": {
        "BACKEND": "chorus.lib.storage.PrivateStorage",
        "OPTIONS": {"location": env_str("CHORUS_PRIVATE_ROOT", str(VAR_DIR / "private"))},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Request limits: a sign form is a few hundred bytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# E-mail. Without EMAIL_HOST, messages are written to files under var/mail/.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Chorus <noreply@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# The sender of confirmation e-mails for petitions with discreet e-mail: a
# neutral name, so the inbox does not reveal the cause.
CHORUS_DISCREET_FROM_EMAIL = env_str(
    "CHORUS_DISCREET_FROM_EMAIL", f"Confirmation <{parseaddr(DEFAULT_FROM_EMAIL)[1]}>"
)
MAIL_DIR = Path(env_str("MAIL_DIR", str(VAR_DIR / "mail")))
if env_str("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "chorus.lib.mail.SMTPBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST"),
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "use_ssl": env_bool("EMAIL_USE_SSL", False),
                "timeout": env_int("EMAIL_TIMEOUT", 30),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "chorus.lib.mail.ReadableFileBackend",
            "OPTIONS": {"file_path": str(MAIL_DIR)},
        }
    }

# Security. Production values are the defaults; DEBUG relaxes what needs HTTPS.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER", False) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# The language a reader chose: no script reads it, and it is sent only over HTTPS
# and only with our own pages' requests.
LANGUAGE_COOKIE_SECURE = env_bool("LANGUAGE_COOKIE_SECURE", not DEBUG)
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Django's check for its SecurityMiddleware looks for it by name; ours is a
# subclass, checked by chorus.W003–W005 (chorus/lib/checks.py) instead.
SILENCED_SYSTEM_CHECKS = ["security.W001"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No page may load anything from another origin: signers may be watched.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Logging: never log e-mail addresses or raw IPs. Django's request logger
# prints paths only; our own code logs ids and digests.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.tasks": {"level": "WARNING"}},
}

# Chorus: privacy.
# Fernet keys (comma-separated, newest first) that encrypt signers' addresses
# and postcodes. Generate one with `manage.py generatekey`. Without any, a key
# is derived from SECRET_KEY: fine for development, warned against by
# `check --deploy`.
CHORUS_ENCRYPTION_KEYS = env_list("CHORUS_ENCRYPTION_KEYS")

# Ed25519 private keys (base64, comma-separated, newest first) that sign the
# public log of each petition's count. Generate one with `manage.py
# generatesigningkey`; to rotate, put the new key first and keep the old one
# until `runperiodic` has handed every log over (docs/verifiable-counts.md).
# Without any, a key is derived from SECRET_KEY (warned against by `check --deploy`).
CHORUS_SIGNING_KEY = env_list("CHORUS_SIGNING_KEY")
# Inclusion proofs one address may ask for per minute.
CHORUS_PROOF_RATE = env_int("CHORUS_PROOF_RATE", 30)

# Chorus: signing and counting.
# Key for the keyed digests (HMAC) of e-mail addresses and IPs. Changing it
# breaks deduplication of existing signatures, so set it once.
CHORUS_DIGEST_KEY = env_str("CHORUS_DIGEST_KEY", SECRET_KEY)
# How long a confirmation link stays valid.
CHORUS_CONFIRMATION_MAX_AGE = env_int("CHORUS_CONFIRMATION_MAX_AGE", 14 * 24 * 3600)
# How many confirmation e-mails one signature may trigger in total (the first
# one included) when the same address signs again.
CHORUS_CONFIRMATION_MAX_SENDS = env_int("CHORUS_CONFIRMATION_MAX_SENDS", 3)
# Seconds after signing when a signature still unconfirmed gets a reminder to
# confirm, and a second one (0: none). Reminders count towards
# CHORUS_CONFIRMATION_MAX_SENDS.
CHORUS_REMINDER_AFTER = env_int("CHORUS_REMINDER_AFTER", 24 * 3600)
CHORUS_REMINDER_SECOND_AFTER = env_int("CHORUS_REMINDER_SECOND_AFTER", 72 * 3600)
# Seconds between ticks of `runperiodic` (counting, milestones, closing, trending).
CHORUS_COUNT_INTERVAL = env_float("CHORUS_COUNT_INTERVAL", 2.0)
# Several servers may each run `runperiodic`: one works, the others take over once it
# has not renewed its lease for this long (chorus.periodic.models.Lease).
CHORUS_PERIODIC_LEASE_SECONDS = env_float("CHORUS_PERIODIC_LEASE_SECONDS", 30.0)
# While the database cannot be reached, pages answer 503 with this Retry-After,
# and runperiodic waits this long between attempts.
CHORUS_RETRY_AFTER_SECONDS = env_int("CHORUS_RETRY_AFTER_SECONDS", 10)
# How long a process may reuse a petition (and its count, and its rendered
# page) before reading it again. Counts shown are at most
# CHORUS_COUNT_INTERVAL + 2 x CHORUS_COUNT_CACHE_SECONDS old (5 s by default).
CHORUS_COUNT_CACHE_SECONDS = env_float("CHORUS_COUNT_CACHE_SECONDS", 1.5)
# How long a shared cache in front (nginx's micro-cache, a CDN) may keep a public page
# or figure (`Cache-Control: public, max-age`): long enough to take a rush off the
# servers, short enough that a count still looks live.
CHORUS_PUBLIC_MAX_AGE = env_int("CHORUS_PUBLIC_MAX_AGE", 1)
# Domains whose mailboxes ignore dots in the local part.
CHORUS_DOTLESS_DOMAINS = env_list("CHORUS_DOTLESS_DOMAINS", "gmail.com,googlemail.com")
# Domains that deliver "name+tag@" to "name@" (sub-addressing).
CHORUS_SUBADDRESS_DOMAINS = env_list(
    "CHORUS_SUBADDRESS_DOMAINS",
    "gmail.com,googlemail.com,outlook.com,hotmail.com,live.com,icloud.com,me.com,"
    "proton.me,protonmail.com,pm.me,fastmail.com,yandex.ru,yandex.com,ya.ru",
)
# Domains that are another name for the same mailbox provider.
CHORUS_DOMAIN_ALIASES = {"googlemail.com": "gmail.com", "ya.ru": "yandex.ru"}
# Extra confirmation e-mails a signer may ask for from an expired link.
CHORUS_EXPIRED_LINK_RESENDS = env_int("CHORUS_EXPIRED_LINK_RESENDS", 2)
# Serve uploaded images from Django (fine for a small site; a large one lets
# its web server do it).
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
# Confirmation e-mails are sent in batches: each server process schedules at
# most one sending task per this many seconds (0: one per signature).
CHORUS_CONFIRMATION_BATCH_SECONDS = env_float("CHORUS_CONFIRMATION_BATCH_SECONDS", 1.0)
# A worker sending confirmation e-mails claims a batch for this many seconds;
# if it dies, what it had not sent goes out once the claim has run out.
CHORUS_MAIL_LEASE_SECONDS = env_int("CHORUS_MAIL_LEASE_SECONDS", 300)
# Retention (see docs/privacy.md). Run `manage.py applyretention` daily.
# Signatures never confirmed are deleted after this many days.
CHORUS_UNCONFIRMED_RETENTION_DAYS = env_int("CHORUS_UNCONFIRMED_RETENTION_DAYS", 30)
# The keyed IP digests (kept to spot abuse) are deleted after this many days.
CHORUS_IP_DIGEST_RETENTION_DAYS = env_int("CHORUS_IP_DIGEST_RETENTION_DAYS", 30)
# The personal data of a closed petition's signers is removed this many days
# after it closed; counts and country totals stay.
CHORUS_CLOSED_PETITION_RETENTION_DAYS = env_int("CHORUS_CLOSED_PETITION_RETENTION_DAYS", 183)
# Countries with fewer confirmed signatures than this are shown only as "fewer
# than N": a small number next to the persecuting country can expose someone.
# The organisers' confirmation figures group e-mail domains below it likewise.
CHORUS_COUNTRY_FLOOR = env_int("CHORUS_COUNTRY_FLOOR", 5)
# Paper batches: a batch typed this many times faster than the median, or with one
# country this many times its usual share (and half the batch), is flagged for a look.
CHORUS_PAPER_ANOMALY_FACTOR = env_int("CHORUS_PAPER_ANOMALY_FACTOR", 3)
# Country shares are only compared for batches with at least this many rows.
CHORUS_PAPER_COUNTRY_MIN_ROWS = env_int("CHORUS_PAPER_COUNTRY_MIN_ROWS", 10)
# How long a process reuses a petition's country totals, history and
# confirmation figures.
CHORUS_STATS_CACHE_SECONDS = env_float("CHORUS_STATS_CACHE_SECONDS", 60.0)
# A petition with at most this many signatures gets its delivery document made
# on request; a bigger one has it prepared in the background by the task worker.
CHORUS_DELIVERY_DIRECT_MAX = env_int("CHORUS_DELIVERY_DIRECT_MAX", 5000)
# A delivery document still being prepared after this many seconds is taken for
# lost (its worker died) and may be asked for again.
CHORUS_DELIVERY_BUILD_TIMEOUT = env_int("CHORUS_DELIVERY_BUILD_TIMEOUT", 3600)
# Signatures one API key may record per minute.
CHORUS_API_KEY_RATE = env_int("CHORUS_API_KEY_RATE", 600)

# Organisers and moderation
LOGIN_URL = "organisers:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "petitions:home"
# Whether anyone may create an account and start petitions; if not, only
# people invited by an organisation's owner can.
CHORUS_OPEN_SIGNUP = env_bool("CHORUS_OPEN_SIGNUP", True)
# How long a petition may wait for review before the queue marks it overdue.
CHORUS_REVIEW_DUE_HOURS = env_int("CHORUS_REVIEW_DUE_HOURS", 72)
# Milestones: shares of each petition's goal, and counts for every petition.
CHORUS_MILESTONE_PERCENTS = [int(p) for p in env_list("CHORUS_MILESTONE_PERCENTS", "25,50,100")]
CHORUS_MILESTONE_COUNTS = [int(c) for c in env_list("CHORUS_MILESTONE_COUNTS", "10000,100000")]
# Update e-mails are sent in batches of this many per transaction.
CHORUS_MAILING_BATCH_SIZE = env_int("CHORUS_MAILING_BATCH_SIZE", 100)
# Hero images: larger uploads are refused; larger pictures are scaled down.
CHORUS_IMAGE_MAX_BYTES = env_int("CHORUS_IMAGE_MAX_BYTES", 10 * 1024 * 1024)
CHORUS_IMAGE_MAX_WIDTH = env_int("CHORUS_IMAGE_MAX_WIDTH", 1600)

# Chorus: limits, held signatures and blocks (docs/counting.md). A signature over
# a limit is held for review, never refused; 0 turns a limit off.
# Signatures from one keyed IP digest on one petition per window (a carrier's
# shared address or a Tor exit can pass this honestly: holding keeps them safe).
CHORUS_LIMIT_IP_PER_PETITION = env_int("CHORUS_LIMIT_IP_PER_PETITION", 10)
# Signatures from one e-mail domain on one petition per window.
CHORUS_LIMIT_DOMAIN_PER_PETITION = env_int("CHORUS_LIMIT_DOMAIN_PER_PETITION", 200)
# The window of both limits above, in seconds.
CHORUS_LIMIT_WINDOW_SECONDS = env_int("CHORUS_LIMIT_WINDOW_SECONDS", 3600)
# Signatures one petition may take per minute before the rest are held (0: off).
CHORUS_LIMIT_PETITION_BURST = env_int("CHORUS_LIMIT_PETITION_BURST", 0)
# Big mailbox providers, never domain-limited: half a country signs from them.
CHORUS_LIMIT_DOMAIN_EXEMPT = env_list(
    "CHORUS_LIMIT_DOMAIN_EXEMPT",
    "gmail.com,googlemail.com,outlook.com,hotmail.com,live.com,msn.com,yahoo.com,"
    "icloud.com,me.com,proton.me,protonmail.com,pm.me,yandex.ru,yandex.com,mail.ru,"
    "gmx.de,gmx.net,web.de,aol.com,fastmail.com,tutanota.com,zoho.com",
)

# Chorus: trending flags and bulk invalidation (docs/counting.md).
# Signatures counted per (petition, IP digest) and (petition, e-mail domain)
# over the last this many seconds; `detecttrending` and the counter (once a
# minute) flag any that reach a threshold.
CHORUS_TRENDING_WINDOW_SECONDS = env_int("CHORUS_TRENDING_WINDOW_SECONDS", 3600)
CHORUS_TRENDING_IP_THRESHOLD = env_int("CHORUS_TRENDING_IP_THRESHOLD", 20)
CHORUS_TRENDING_DOMAIN_THRESHOLD = env_int("CHORUS_TRENDING_DOMAIN_THRESHOLD", 100)
# Each new flag is POSTed here as JSON (no address, no IP); empty: off.
CHORUS_TRENDING_WEBHOOK_URL = env_str("CHORUS_TRENDING_WEBHOOK_URL", "")

# Chorus: proof of work (ALTCHA; docs/counting.md). Off unless a petition asks
# for it (staff, in the admin) or its held signatures cross the threshold below.
# Key that signs challenges; empty: derived from SECRET_KEY.
CHORUS_ALTCHA_HMAC_KEY = env_str("CHORUS_ALTCHA_HMAC_KEY", "")
# Seconds a challenge stays valid once issued.
CHORUS_ALTCHA_EXPIRES_SECONDS = env_int("CHORUS_ALTCHA_EXPIRES_SECONDS", 600)
# Difficulty: the browser tries on average half this many SHA-256 hashes
# (100000: a second or two on a phone).
CHORUS_ALTCHA_MAXNUMBER = env_int("CHORUS_ALTCHA_MAXNUMBER", 100_000)
# Switched on automatically for CHORUS_POW_DURATION_SECONDS when a petition
# got CHORUS_POW_HELD_THRESHOLD held signatures in CHORUS_POW_WINDOW_SECONDS.
CHORUS_POW_WINDOW_SECONDS = env_int("CHORUS_POW_WINDOW_SECONDS", 600)
CHORUS_POW_HELD_THRESHOLD = env_int("CHORUS_POW_HELD_THRESHOLD", 20)
CHORUS_POW_DURATION_SECONDS = env_int("CHORUS_POW_DURATION_SECONDS", 3600)

# Chorus: back office security (see docs/configuration.md, "Back office security").
# Failed logins for one account within CHORUS_LOGIN_LOCKOUT_SECONDS after which
# that account's logins are refused until the window has passed (even with the
# right password); the same from one address, for any account.
CHORUS_LOGIN_MAX_FAILURES = env_int("CHORUS_LOGIN_MAX_FAILURES", 20)
CHORUS_LOGIN_MAX_FAILURES_PER_IP = env_int("CHORUS_LOGIN_MAX_FAILURES_PER_IP", 50)
CHORUS_LOGIN_LOCKOUT_SECONDS = env_int("CHORUS_LOGIN_LOCKOUT_SECONDS", 900)
# Wrong second-factor codes for one account within the same window; fewer than
# for passwords, because a six-digit code is easier to guess.
CHORUS_OTP_MAX_FAILURES = env_int("CHORUS_OTP_MAX_FAILURES", 5)
# Staff are logged out after this many seconds without a request.
CHORUS_STAFF_IDLE_SECONDS = env_int("CHORUS_STAFF_IDLE_SECONDS", 1800)
# Reverse proxies (IPs or CIDRs) whose X-Forwarded-For header is believed.
CHORUS_TRUSTED_PROXIES = env_list("CHORUS_TRUSTED_PROXIES")
# The name authenticator apps show next to a staff member's codes.
OTP_TOTP_ISSUER = SITE_NAME
# Our own lockout (above) limits code guesses; django-otp's doubling delay
# would lock a device for days after twenty mistakes.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# The admin shows no secret keys and no recovery codes, not even to superusers.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Chorus: "Did you mean …?" for mistyped provider domains (chorus/signatures/typos.py).
# An address one or two edits from one of these domains, whose own domain has no
# MX record, is asked about before signing; the lookup waits at most this long.
CHORUS_TYPO_PROVIDERS = frozenset(env_list(
    "CHORUS_TYPO_PROVIDERS",
    "gmail.com,googlemail.com,outlook.com,hotmail.com,live.com,yahoo.com,icloud.com,me.com,"
    "proton.me,protonmail.com,yandex.ru,ya.ru,mail.ru,gmx.de,gmx.net,web.de,aol.com,"
    "fastmail.com,tutanota.com,ukr.net",
))
CHORUS_MX_TIMEOUT = env_float("CHORUS_MX_TIMEOUT", 1.5)
