"""Settings for Yhteistyö, read from environment variables (see .env.example).

Secure by default: production values apply unless DEBUG is set.
"""

import datetime
import sys
from pathlib import Path

import django.conf.locale
import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# A development key only when DEBUG is on; production must set SECRET_KEY (and ALLOWED_HOSTS,
# DATABASE_URL): checked in "Production shape" at the end of this file.
SECRET_KEY = env("SECRET_KEY", default="" if not DEBUG else "dev-only-insecure-key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "kelayhteistyo",
    "cases",
    "meetings",
    "feedback",
    "overview",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "djangosaml2",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The SAML exchange of a young person's sign-in keeps its state in a cookie of its own
    # (the identity provider's answer comes back as a cross-site POST).
    "djangosaml2.middleware.SamlSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "kelayhteistyo.middleware.UserLanguageMiddleware",
    "kelayhteistyo.middleware.YouthLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kelayhteistyo.middleware.SessionPolicyMiddleware",
    "kelayhteistyo.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kelayhteistyo.middleware.IncidentMiddleware",
    "kelayhteistyo.middleware.AdminAccessLogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kelayhteistyo.urls"
WSGI_APPLICATION = "kelayhteistyo.wsgi.application"

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
                "meetings.notification_views.unread_count",
            ],
        },
    },
]

# axes.W006 asks for the address as a lockout key too: left out on purpose (AXES_LOCKOUT_PARAMETERS
# below). Rotating user agents or cookies gains nothing when the account tried is the key.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# SQLite for the quick start; PostgreSQL in production and CI through DATABASE_URL.
# (An empty DATABASE_URL is a missing one: production stops at the end of this file.)
_database_url = env.str("DATABASE_URL", default="").strip()
DATABASES = {"default": env.db_url_config(_database_url or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The planner's cost of reading a page out of order, set on each connection: PostgreSQL's
    # default (4) assumes spinning disks; on SSD storage and a database that fits in memory an
    # index probe costs little more than a sequential read, and with the default the home
    # lists' indexes (one probe per participant row of a Kela contact) lose to reading every
    # open item of the country (issue 20: My action items 141 → 33 ms at national scale).
    _page_cost = env.float("DB_RANDOM_PAGE_COST", default=1.1)
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c random_page_cost={_page_cost}"
    # A connection kept for the next requests of the same process (DB_CONN_MAX_AGE seconds,
    # checked before reuse), not opened for each: a new connection is a new PostgreSQL backend
    # whose catalog caches start empty, so a page of many tables also plans slower on it.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The dashboard's covering index (PostgreSQL) is a plain index on SQLite: nothing to fix in
    # the quick start, so no warning on every command.
    SILENCED_SYSTEM_CHECKS += ["models.W040"]

AUTH_USER_MODEL = "kelayhteistyo.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: 5 failed attempts on one account, from any addresses, lock that account for
# 15 minutes; the right password then answers exactly as a wrong one. Accounts only, never
# addresses: an office or a whole wellbeing services county may sit behind one proxy address,
# and made-up logins must not lock real people out. A successful login resets the count of that
# account only. The attempt is stored with the lowercased e-mail address (account.py).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (not USERNAME_FIELD "email")
AXES_USERNAME_CALLABLE = "kelayhteistyo.account.attempted_username"
AXES_CLIENT_IP_CALLABLE = "kelayhteistyo.account.client_ip"
AXES_RESET_ON_SUCCESS = True
# How many reverse proxies in front of the app append to X-Forwarded-For. 0 (the default): the
# header is not trusted (anyone can send it) and the address is the connection's own.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Yhteistyö"
# Organisations' own login services (OpenID Connect; kelayhteistyo/oidc.py). Each organisation's
# issuer, client id and secret are kept in the admin (OrganisationIdentityProvider); the secret
# may be left in an environment variable named there. These apply to all of them: seconds to
# wait for a service, how long its discovery document is kept, and the clock skew allowed.
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10)
OIDC_DISCOVERY_CACHE_SECONDS = env.int("OIDC_DISCOVERY_CACHE_SECONDS", default=3600)
OIDC_LEEWAY_SECONDS = env.int("OIDC_LEEWAY_SECONDS", default=60)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The young person's own pages, their plain-language plan copy, their survey and the messages to
# them are also in the languages of the young people served (issue 19). Professional pages stay
# in LANGUAGES. Rules and the list of youth-facing sources: kelayhteistyo/youth.py.
YOUTH_LANGUAGES = [
    *LANGUAGES,
    ("ar", _("Arabic")),
    ("fa-af", _("Dari")),
    ("so", _("Somali")),
    ("ru", _("Russian")),
    ("uk", _("Ukrainian")),
    ("ti", _("Tigrinya")),
]
# Languages Django does not know (Dari as spoken in Afghanistan, Somali, Tigrinya): registered
# in Django's LANG_INFO so that the language switch names them and bidi is known.
EXTRA_LANG_INFO = {
    "fa-af": {"bidi": True, "code": "fa-af", "name": "Dari", "name_local": "دری"},
    "so": {"bidi": False, "code": "so", "name": "Somali", "name_local": "Soomaali"},
    "ti": {"bidi": False, "code": "ti", "name": "Tigrinya", "name_local": "ትግርኛ"},
}
django.conf.locale.LANG_INFO = {**django.conf.locale.LANG_INFO, **EXTRA_LANG_INFO}
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="yhteistyo@localhost")
# The address of the app in links of e-mails and calendar files.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Sessions: personal data on every page, so short-lived and never readable from scripts.
# A session ends after 30 minutes idle (renewed on every request) and after 12 hours in all.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_MAX_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Messages quote what was done (an action item's text): kept in the session, not in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline scripts or styles anywhere; everything comes from the app's own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Django's request and security logs are cut to the status, the view and the exception type:
    # no paths (survey links carry their token), no messages or tracebacks (user input).
    "filters": {"requests": {"()": "kelayhteistyo.middleware.RequestLogFilter"}},
    "formatters": {"plain": {"format": "{levelname} {name}: {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["requests"], "formatter": "plain"}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Through the handler above only: Django's own console and mail_admins handlers (paths,
        # tracebacks) are removed.
        "django": {"level": "INFO"},
        # axes logs every login at INFO; failures and lockouts are also in its own tables.
        "axes": {"level": "WARNING"},
        "kelayhteistyo.admin_access": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        # pysaml2 and its XML schema library log every step at INFO (ids, attributes).
        "saml2": {"level": "WARNING"},
        "xmlschema": {"level": "WARNING"},
        "djangosaml2": {"level": "WARNING"},
    },
}
FORMAT_MODULE_PATH = ["kelayhteistyo.formats"]

# A young person's own page (/oma/) signs in with strong electronic identification: Suomi.fi
# e-Identification, SAML 2.0, through djangosaml2 / pysaml2 (xmlsec1 from apt). The service
# provider's key and certificate and the identity provider's metadata are local files; without
# them the sign-in page says the service is not in use. See cases/own.py.
SAML_IDP_METADATA = env("SAML_IDP_METADATA", default="")
SAML_SP_KEY_FILE = env("SAML_SP_KEY_FILE", default="")
SAML_SP_CERT_FILE = env("SAML_SP_CERT_FILE", default="")
SAML_ENTITY_ID = env("SAML_ENTITY_ID", default=f"{SITE_URL}/oma/saml/metadata/")
# Suomi.fi: nationalIdentificationNumber.
SAML_IDENTITY_ATTRIBUTE = env("SAML_IDENTITY_ATTRIBUTE", default="urn:oid:1.2.246.21")
SAML_XMLSEC_BINARY = env("SAML_XMLSEC_BINARY", default="/usr/bin/xmlsec1")
# The request goes by redirect (no page with a script of ours); the answer comes by POST.
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_CSP_HANDLER = ""  # no djangosaml2 page is used that needs a script
# The identity provider posts back from another site: the SAML state cookie must travel with a
# cross-site POST (SameSite=None needs HTTPS; the quick start's test provider is the same site).
SAML_SESSION_COOKIE_SAMESITE = "Lax" if DEBUG else "None"
SAML_CONFIG_LOADER = "cases.own.sp_config"
# The quick start (make run): a local test identity provider with the demo young people, like
# Suomi.fi's test environment (cases/devidp.py, at /testi-tunnistus/sso/). Only with DEBUG.
SAML_TEST_IDP = DEBUG and env.bool("SAML_TEST_IDP", default=False)
SAML_TEST_IDP_FOLDER = Path(env.str("SAML_TEST_IDP_FOLDER", default=str(BASE_DIR / ".saml-test")))
if SAML_TEST_IDP:
    SAML_IDP_METADATA = str(SAML_TEST_IDP_FOLDER / "idp-metadata.xml")
    SAML_SP_KEY_FILE = str(SAML_TEST_IDP_FOLDER / "sp.key")
    SAML_SP_CERT_FILE = str(SAML_TEST_IDP_FOLDER / "sp.crt")

# Celery: Redis in production and CI. The reminders that use it arrive with their own issue.
# Redis in production and CI. The quick start (DEBUG) needs no server: kombu's filesystem
# transport keeps the queue in a folder of the project.
CELERY_BROKER_URL = env(
    "CELERY_BROKER_URL", default="filesystem://" if DEBUG else "redis://127.0.0.1:6379/0"
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = BASE_DIR / ".celery-queue"  # its folders are made at start-up (apps.py)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "out"),
        "data_folder_out": str(_queue_dir / "out"),
        "data_folder_processed": str(_queue_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_queue_dir / "control"),
    }
else:
    # A message whose worker died unacknowledged is delivered again after this many seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        # How often a worker looks for such messages (the fault tests look every second).
        "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": 1,
    }
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Seconds a request waits for a PDF (kelayhteistyo/pdf.py).
PDF_TIMEOUT = env.float("PDF_TIMEOUT", default=20)
# Feedback: how long a survey link works, and how long a hidden free-text answer can still be
# shown again before its text is emptied.
FEEDBACK_LINK_DAYS = env.int("FEEDBACK_LINK_DAYS", default=30)
FEEDBACK_HIDDEN_TEXT_DAYS = env.int("FEEDBACK_HIDDEN_TEXT_DAYS", default=30)
# An action item still open this many working days after its due date is escalated, once, to
# the young person's responsible worker (meetings.notifications.reminders.items_escalate).
ACTION_ITEM_ESCALATION_WORKDAYS = env.int("ACTION_ITEM_ESCALATION_WORKDAYS", default=5)
# This many months before the aftercare end date the responsible worker gets the task "plan the
# hand-over to adult services" (meetings.transitions; issue 17).
TRANSITION_NOTICE_MONTHS = env.int("TRANSITION_NOTICE_MONTHS", default=3)
# How long a signed link to an outside owner's action item works after the e-mail carrying it
# (a reminder carries a fresh one).
ITEM_LINK_DAYS = env.int("ITEM_LINK_DAYS", default=30)
# A cooperation request from Kela (issue 18) expires this many days after it was sent if the
# unit has not booked or declined it; an answered one keeps its personal data this many days
# after the answer, for Kela to read it. Then the nightly purge blanks the personal fields.
COOPERATION_REQUEST_DAYS = env.int("COOPERATION_REQUEST_DAYS", default=30)
COOPERATION_REQUEST_KEEP_DAYS = env.int("COOPERATION_REQUEST_KEEP_DAYS", default=14)
# A special-service referral not assessed this many working days after it was sent (or after
# Kela took it) is reminded, once per step, to Kela and told to the referring worker
# (meetings.notifications.reminders.referrals_unassessed).
REFERRAL_ASSESSMENT_WORKDAYS = env.int("REFERRAL_ASSESSMENT_WORKDAYS", default=5)
CELERY_TASK_IGNORE_RESULT = True
# The worker logs through LOGGING (and its request filter), not a root logger of its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TIMEZONE = TIME_ZONE

# --- Text messages (issue 19; kelayhteistyo/sms.py). Development prints them; production sends
# through an HTTP gateway, which needs its address (and credentials) before a message is sent.
SMS_BACKEND = env(
    "SMS_BACKEND",
    default="kelayhteistyo.sms.ConsoleBackend" if DEBUG else "kelayhteistyo.sms.HttpGatewayBackend",
)
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_USER = env("SMS_GATEWAY_USER", default="")
SMS_GATEWAY_PASSWORD = env("SMS_GATEWAY_PASSWORD", default="")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10)
SMS_SENDER = env("SMS_SENDER", default="Yhteistyo")
SMS_FILE_PATH = env("SMS_FILE_PATH", default=str(BASE_DIR / "sms-messages"))
# The light door of the young person's own page (issue 19; cases/light.py): how long a link
# works before it is opened, how long a one-time code works, and how many new links a young
# person may ask for themselves in an hour.
OWN_LIGHT_LINK_HOURS = env.int("OWN_LIGHT_LINK_HOURS", default=72)
OWN_LIGHT_CODE_MINUTES = env.int("OWN_LIGHT_CODE_MINUTES", default=10)
OWN_LIGHT_REQUESTS_PER_HOUR = env.int("OWN_LIGHT_REQUESTS_PER_HOUR", default=3)
# --- end of text messages

# --- Production shape (issue 21): required settings, JSON logs, health and metrics -----------
# Production (DEBUG off) does not start without these; each missing one is one line on standard
# error, and the process exits (manage.py, gunicorn's worker, Celery alike) without a traceback.
_REQUIRED = {
    "SECRET_KEY": "the key that signs sessions, a long random string",
    "ALLOWED_HOSTS": "the service's host names, comma-separated",
    "DATABASE_URL": "postgres://<application role>:<password>@<host>:5432/<database>",
}
if not DEBUG:
    _missing = [name for name in _REQUIRED if not env.str(name, default="").strip()]
    for _name in _missing:
        sys.stderr.write(
            f"Missing setting {_name} ({_REQUIRED[_name]}): set it in the environment.\n"
        )
    if _missing:
        raise SystemExit(78)  # EX_CONFIG: nothing starts half-configured

INSTALLED_APPS += ["health_check", "django_prometheus"]
# Request metrics by view, method and status (no paths); /metrics/ answers only with the token.
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "kelayhteistyo.observability.RequestLogMiddleware",
    *MIDDLEWARE,
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# Bearer token of the Prometheus scraper; unset, /metrics/ answers 404 to everyone.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# The reminder sweep (beat) must have succeeded this recently for /health/ to say ok.
HEALTH_SWEEP_MAX_AGE = datetime.timedelta(minutes=env.int("HEALTH_SWEEP_MAX_MINUTES", default=10))
# Probes and the scraper talk to the container directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^metrics/$"]
# JSON lines in production (one object a line: time, level, logger, message, and for requests
# request_id, user_id, view, method, status, duration_ms); plain text in the quick start.
LOGGING["formatters"]["json"] = {"()": "kelayhteistyo.observability.JsonFormatter"}
LOGGING["filters"]["request_id"] = {"()": "kelayhteistyo.observability.RequestIdFilter"}
LOGGING["handlers"]["console"]["filters"] = ["request_id", "requests"]
LOGGING["handlers"]["console"]["formatter"] = env(
    "LOG_FORMAT", default="plain" if DEBUG else "json"
)
# The line of each request carries its fields in JSON only (runserver prints its own in text).
LOGGING["loggers"]["kelayhteistyo.request"] = {
    "level": "INFO" if LOGGING["handlers"]["console"]["formatter"] == "json" else "WARNING"
}
