"""A real OpenID Connect provider for the tests (pyop), served over HTTPS on 127.0.0.1 with a
certificate of its own (trusted through REQUESTS_CA_BUNDLE, as a private CA would be).

It signs ID tokens with its own RSA key (RS256) published in its JWKS, checks the client's
secret, the redirect address and PKCE, and has a login form of its own. Tests can make it
misbehave the way a misconfigured or hostile service would: tokens for another audience or
from another issuer (re-signed with its real key), tokens already expired, or no answer at all.
"""

import atexit
import datetime
import ipaddress
import json
import shutil
import ssl
import tempfile
import threading
from contextlib import contextmanager
from html import escape
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jwt
from Cryptodome.PublicKey import RSA
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from jwkest.jwk import RSAKey
from oic.oic.message import TokenErrorResponse
from pyop.authz_state import AuthorizationState
from pyop.exceptions import InvalidAuthenticationRequest, OAuthError
from pyop.provider import Provider
from pyop.subject_identifier import HashBasedSubjectIdentifierFactory
from pyop.userinfo import Userinfo

CLIENT_ID = "yhteistyo-test"
CLIENT_SECRET = "client-secret-for-tests"  # noqa: S105
KEY_ID = "test-signing-key"


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


def _private_key_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


_KEY_PEM = None
_TLS: tuple[str, str] | None = None


def key_pem() -> bytes:
    """One key for the whole run: generating RSA keys is slow."""
    global _KEY_PEM
    if _KEY_PEM is None:
        _KEY_PEM = _private_key_pem()
    return _KEY_PEM


def tls_files() -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 and its key (files): (certificate, key)."""
    global _TLS
    if _TLS is None:
        pem = _private_key_pem()
        key = serialization.load_pem_private_key(pem, password=None)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test identity provider")])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .sign(key, hashes.SHA256())
        )
        folder = tempfile.mkdtemp(prefix="test-idp-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        cert_path, key_path = f"{folder}/cert.pem", f"{folder}/key.pem"
        with open(cert_path, "wb") as out:
            out.write(cert.public_bytes(serialization.Encoding.PEM))
        with open(key_path, "wb") as out:
            out.write(pem)
        _TLS = (cert_path, key_path)
    return _TLS


class TestIdentityProvider:
    """Start with `running(...)`. `users`: login name → (password, claims, amr)."""

    __test__ = False  # not a test class for pytest

    def __init__(self, redirect_uris: list[str]):
        self.redirect_uris = redirect_uris
        self.users: dict[str, dict] = {}
        self.tamper: dict = {}  # claims to overwrite in the next ID tokens (re-signed)
        self.email_in_id_token = False
        self.forge = False  # sign the ID tokens with another key under the published key's id
        self.server = make_server(
            "127.0.0.1", 0, self.app, server_class=_Server, handler_class=_QuietHandler
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls_files())
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.issuer = f"https://127.0.0.1:{self.server.server_port}"
        self.private_pem = key_pem()
        signing_key = RSAKey(key=RSA.import_key(self.private_pem), use="sig", alg="RS256")
        signing_key.kid = KEY_ID
        self.userinfo_db: dict[str, dict] = {}
        self.provider = Provider(
            signing_key,
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
                "claims_parameter_supported": True,
            },
            AuthorizationState(HashBasedSubjectIdentifierFactory("test-salt")),
            {
                CLIENT_ID: {
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": redirect_uris,
                    "response_types": ["code"],
                    "token_endpoint_auth_method": "client_secret_post",
                }
            },
            Userinfo(self.userinfo_db),
        )
        self.thread: threading.Thread | None = None
        self.requests: list[str] = []  # paths asked, for the tests to see what was used

    # --- the test's controls -------------------------------------------------------------
    def add_user(self, login: str, password: str, email: str, amr=("pwd",), acr=None):
        self.users[login] = {"password": password, "amr": list(amr), "acr": acr}
        self.userinfo_db[login] = {"email": email, "email_verified": True, "name": login}

    def expire_tokens(self):
        self.provider.id_token_lifetime = -3600

    def start(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        """Down: nothing listens on its address any more."""
        if self.thread is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread = None

    # --- HTTP ----------------------------------------------------------------------------
    def app(self, environ, start_response):
        path = environ["PATH_INFO"]
        self.requests.append(path)
        method = environ["REQUEST_METHOD"]
        body = ""
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length).decode()
        headers = {"Authorization": environ.get("HTTP_AUTHORIZATION", "")}
        if not headers["Authorization"]:
            headers = {}
        try:
            if path == "/.well-known/openid-configuration":
                return _json(start_response, self.provider.provider_configuration.to_dict())
            if path == "/jwks":
                return _json(start_response, self.provider.jwks)
            if path == "/authorize":
                return self._authorize(start_response, method, environ["QUERY_STRING"], body)
            if path == "/token":
                return self._token(start_response, body, headers)
            if path == "/userinfo":
                info = self.provider.handle_userinfo_request(
                    environ["QUERY_STRING"] or body, headers
                )
                return _json(start_response, info.to_dict())
        except OAuthError as exc:
            error = TokenErrorResponse(error=exc.oauth_error, error_description=str(exc))
            return _json(start_response, error.to_dict(), status="400 Bad Request")
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def _authorize(self, start_response, method, query, body):
        if method == "GET":
            try:
                self.provider.parse_authentication_request(query)
            except InvalidAuthenticationRequest as exc:
                start_response("400 Bad Request", [("Content-Type", "text/plain")])
                return [str(exc).encode()]
            return _html(start_response, _login_form(query, error=""))
        form = {k: v[0] for k, v in parse_qs(body).items()}
        request = self.provider.parse_authentication_request(form["request"])
        user = self.users.get(form.get("username", ""))
        if user is None or user["password"] != form.get("password"):
            return _html(start_response, _login_form(form["request"], error="Wrong login"))
        response = self.provider.authorize(request, form["username"])
        location = response.request(request["redirect_uri"], False)
        start_response("302 Found", [("Location", location)])
        return [b""]

    def _extra_claims(self, login: str, client_id: str) -> dict:
        """How the person logged in (amr, acr), and the address if sent in the ID token."""
        user = self.users[login]
        extra = {"amr": user["amr"]}
        if user["acr"]:
            extra["acr"] = user["acr"]
        if self.email_in_id_token:
            extra["email"] = self.userinfo_db[login]["email"]
        return extra

    def _token(self, start_response, body, headers):
        response = self.provider.handle_token_request(
            body, headers, extra_id_token_claims=self._extra_claims
        ).to_dict()
        if (self.tamper or self.forge) and "id_token" in response:
            claims = jwt.decode(response["id_token"], options={"verify_signature": False})
            claims.update(self.tamper)
            key = _private_key_pem() if self.forge else self.private_pem
            response["id_token"] = jwt.encode(
                claims, key, algorithm="RS256", headers={"kid": KEY_ID}
            )
        return _json(start_response, response)


def _json(start_response, data, status="200 OK"):
    start_response(status, [("Content-Type", "application/json")])
    return [json.dumps(data).encode()]


def _html(start_response, page: str):
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [page.encode()]


def _login_form(request: str, error: str) -> str:
    return f"""<!doctype html><html lang="en"><head><title>Test identity provider</title></head>
<body><h1>Organisation login</h1><p role="alert">{escape(error)}</p>
<form method="post" action="/authorize">
<input type="hidden" name="request" value="{escape(request)}">
<label for="u">User name</label> <input id="u" name="username">
<label for="p">Password</label> <input id="p" name="password" type="password">
<button type="submit">Sign in</button></form></body></html>"""


@contextmanager
def running(redirect_uris: list[str]):
    idp = TestIdentityProvider(redirect_uris).start()
    try:
        yield idp
    finally:
        idp.stop()
