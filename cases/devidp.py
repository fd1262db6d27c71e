"""A local SAML 2.0 identity provider (pysaml2), like Suomi.fi's test environment: for the tests
(started inside them) and for the quick start. Never used in production.

`TestIdentityProvider(folder)` makes its own keys and metadata, and the service provider's keys,
in `folder`; `settings()` gives the values for the SAML settings; `answer(request, code)` makes the
signed response to an authentication request for the person with that identity code.
"""

import base64
import datetime
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_REDIRECT, saml
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI
from saml2.server import Server

IDENTITY_ATTRIBUTE = "urn:oid:1.2.246.21"  # Suomi.fi: nationalIdentificationNumber
ENTITY_ID = "https://testi.idp.example/idp"
SSO_URL = "https://testi.idp.example/sso"


def key_pair(folder: Path, name: str, *, keep: bool = False) -> tuple[Path, Path]:
    """A 2048-bit RSA key and a self-signed certificate, as PEM files in `folder` (`keep`: the
    ones already there, if any)."""
    key_file, cert_file = folder / f"{name}.key", folder / f"{name}.crt"
    if keep and key_file.exists() and cert_file.exists():
        return key_file, cert_file
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


@dataclass
class Request:
    """An authentication request as the identity provider received it."""

    id: str
    sp_entity_id: str
    acs_url: str
    relay_state: str


class TestIdentityProvider:
    __test__ = False  # not a test class for pytest

    def __init__(
        self, folder: Path, *, sso_url: str = SSO_URL, key_name: str = "idp", keep: bool = False
    ):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sso_url = sso_url
        self.key_file, self.cert_file = key_pair(self.folder, key_name, keep=keep)
        self.sp_key_file, self.sp_cert_file = key_pair(self.folder, "sp", keep=keep)
        self.metadata_file = self.folder / "idp-metadata.xml"
        self.metadata_file.write_text(str(entity_descriptor(self._config(with_sp=False))))
        self.server: Server | None = None

    def settings(self) -> dict:
        """The settings that point the service at this identity provider."""
        return {
            "SAML_IDP_METADATA": str(self.metadata_file),
            "SAML_SP_KEY_FILE": str(self.sp_key_file),
            "SAML_SP_CERT_FILE": str(self.sp_cert_file),
        }

    def trust_service(self, *sp_metadata: str) -> None:
        """Register the service providers (their metadata XML), as one registers with Suomi.fi."""
        files = []
        for n, xml in enumerate(sp_metadata):
            files.append(self.folder / f"sp-metadata-{n}.xml")
            files[-1].write_text(xml)
        self.server = Server(config=self._config(with_sp=True, sp_files=files))

    def _config(self, *, with_sp: bool, sp_files: list[Path] | None = None) -> IdPConfig:
        conf = IdPConfig()
        conf.load(
            {
                "entityid": ENTITY_ID,
                "xmlsec_binary": "/usr/bin/xmlsec1",
                "service": {
                    "idp": {
                        "name": "Test identity provider",
                        "endpoints": {
                            "single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)],
                        },
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": 5},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                        "name_id_format": [saml.NAMEID_FORMAT_TRANSIENT],
                        "want_authn_requests_signed": True,
                    }
                },
                "key_file": str(self.key_file),
                "cert_file": str(self.cert_file),
                "metadata": {"local": [str(f) for f in sp_files or []]} if with_sp else {},
            }
        )
        return conf

    def receive(self, redirect_url: str) -> Request:
        """Read the authentication request from the redirect the service sent the browser on."""
        if self.server is None:
            raise RuntimeError("trust_service() first")
        query = parse_qs(urlsplit(redirect_url).query)
        parsed = self.server.parse_authn_request(
            query["SAMLRequest"][0],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState", [None])[0],
            sigalg=query.get("SigAlg", [None])[0],
            signature=query.get("Signature", [None])[0],
        )
        message = parsed.message
        return Request(
            id=message.id,
            sp_entity_id=message.issuer.text,
            acs_url=message.assertion_consumer_service_url,
            relay_state=query.get("RelayState", [""])[0],
        )

    def answer(
        self,
        request: Request,
        identity_code: str,
        *,
        audience: str | None = None,
        given_name: str = "Testi",
    ) -> str:
        """The signed SAMLResponse (base64, for the HTTP-POST binding) for the person."""
        if self.server is None:
            raise RuntimeError("trust_service() first")
        identity = {
            IDENTITY_ATTRIBUTE: [identity_code],
            "http://eidas.europa.eu/attributes/naturalperson/CurrentGivenName": [given_name],
        }
        name_id = saml.NameID(format=saml.NAMEID_FORMAT_TRANSIENT, text="tr-" + request.id[-12:])
        response = self.server.create_authn_response(
            identity,
            in_response_to=request.id,
            destination=request.acs_url,
            sp_entity_id=audience or request.sp_entity_id,
            name_id=name_id,
            authn={
                "class_ref": "http://ftn.ficora.fi/2017/loa2",
                "authn_auth": ENTITY_ID,
            },
            sign_assertion=True,
            sign_response=True,
        )
        return base64.b64encode(str(response).encode()).decode()


# The quick start's identity provider (make run: SAML_TEST_IDP, DEBUG only) ---------------------

_local: dict = {}


def local_provider() -> TestIdentityProvider:
    """The quick start's provider: keys and metadata in `SAML_TEST_IDP_FOLDER`, made once and
    kept (the service trusts the same metadata across restarts)."""
    from django.conf import settings

    from .own import sp_config

    if "idp" not in _local:
        provider = TestIdentityProvider(
            Path(settings.SAML_TEST_IDP_FOLDER),
            sso_url=f"{settings.SITE_URL}/testi-tunnistus/sso/",
            keep=True,
        )
        provider.trust_service(str(entity_descriptor(sp_config())))
        _local["idp"] = provider
    return _local["idp"]
