"""Authentication as the WinRM service offers it, over the HTTP layer of server.py.

Schemes (header ``Authorization: <scheme> <data>``):

* ``Negotiate`` (SPNEGO wrapping NTLM, or a raw NTLM token as requests_ntlm sends it) and ``NTLM``:
  pyspnego's NTLM acceptor checks the response against the lab's local accounts. The security
  context belongs to the TCP connection (as HTTP.sys binds it): later requests on that connection
  need no Authorization header; a new connection must authenticate again. Over HTTPS the
  tls-server-end-point channel binding is checked when the client sends one (CbtHardeningLevel
  Relaxed), required with Strict, ignored with None.
* ``Basic``: only when ``LabConfig.basic`` is on, and over HTTP only when ``allow_unencrypted`` is on too
  (otherwise it is neither offered nor accepted: HTTP 401 without a Basic challenge).
* ``Digest`` (RFC 7616, MD5, qop=auth): off unless the lab is started with ``--digest``. Windows' WinRM
  service never accepts Digest; Intel AMT does, so the lab can stand in for such a service.
* ``http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual``: a TLS client certificate,
  mapped to a local account by its subject CN (``--cert-map CN:NAME``); needs ``LabConfig.certificate``.
* No Authorization and ``WSMANIDENTIFY: unauthenticated``: anonymous (identity None; the service answers
  Identify only).

Local accounts are accepted as ``NAME``, ``.\\NAME`` and ``COMPUTERNAME\\NAME`` (case-insensitive names,
case-sensitive passwords), as a Windows workgroup machine does.
"""

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import tempfile
import time

import spnego
from spnego.channel_bindings import GssChannelBindings

try:  # the NT hash (MD4) is not in every OpenSSL build; pyspnego carries its own
    from spnego._ntlm_raw.crypto import ntowfv1 as _ntowfv1
except ImportError:  # pragma: no cover - pyspnego always ships it
    _ntowfv1 = None

MUTUAL_SCHEME = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"
DIGEST_NONCE_SECONDS = 300


class Identity:
    """Who sent a request. Same fields as ``service.Identity``; the service's class is used when present."""

    def __init__(self, user, auth_method):
        self.user = user
        self.auth_method = auth_method

    def __repr__(self):
        return "Identity(user=%r, auth_method=%r)" % (self.user, self.auth_method)


class UserError(ValueError):
    """A bad ``--user`` or ``--cert-map`` value; the message names it."""


class Users:
    """The lab's local accounts: name → password, looked up case-insensitively."""

    def __init__(self, computer_name):
        self.computer_name = computer_name
        self._accounts = {}

    def add(self, name, password):
        if not name or "\\" in name or "@" in name or ":" in name:
            raise UserError("user name %r: give a plain local account name (no domain, '@' or ':'), e.g. --user 'labadmin:Secret1!'" % name)
        if not password:
            raise UserError("user %r has an empty password; local accounts that log on over the network need one" % name)
        self._accounts[name.lower()] = (name, password)

    def add_spec(self, spec):
        """``NAME:PASSWORD`` (the password may contain ':')."""
        name, sep, password = spec.partition(":")
        if not sep:
            raise UserError("--user %r: expected NAME:PASSWORD" % (spec.split(":")[0]))
        self.add(name, password)

    def names(self):
        return sorted(entry[0] for entry in self._accounts.values())

    def canonical(self, qualified):
        """Map ``NAME``, ``.\\NAME``, ``COMPUTER\\NAME`` to the account name, or None (other domains are unknown here)."""
        domain, sep, name = (qualified or "").rpartition("\\")
        if not sep:
            name, domain = qualified or "", ""
        if domain and domain not in (".",) and domain.lower() != self.computer_name.lower():
            return None
        entry = self._accounts.get(name.lower())
        return entry[0] if entry else None

    def check_password(self, qualified, password):
        name = self.canonical(qualified)
        if name is None:
            return None
        stored = self._accounts[name.lower()][1]
        return name if hmac.compare_digest(stored.encode("utf-8"), (password or "").encode("utf-8")) else None

    def password_of(self, name):
        entry = self._accounts.get((name or "").lower())
        return entry[1] if entry else None

    def write_ntlm_store(self, directory):
        """Write the NTLM hash store pyspnego's acceptor reads (smbpasswd layout, no clear-text passwords).

        Each account gets three lines so that the bare name, ``.\\`` and ``COMPUTER\\`` forms all match.
        """
        lines = []
        for name, password in self._accounts.values():
            nt_hash = _nt_hash(password).hex().upper()
            for prefix in ("", ".\\", self.computer_name + "\\"):
                lines.append("%s%s:1000:%s:%s:[U          ]:LCT-00000000" % (prefix, name, "0" * 32, nt_hash))
        fd, path = tempfile.mkstemp(prefix="ntlm-users-", suffix=".txt", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        return path


def _nt_hash(password):
    try:
        return hashlib.new("md4", password.encode("utf-16-le")).digest()
    except ValueError:
        return _ntowfv1(password)


class CertificateMap:
    """Client certificate subject CN → local account (the lab's stand-in for WinRM certificate mapping)."""

    def __init__(self, users):
        self.users = users
        self._map = {}

    def add_spec(self, spec):
        common_name, sep, name = spec.rpartition(":")
        if not sep or not common_name or not name:
            raise UserError("--cert-map %r: expected SUBJECT_CN:NAME, e.g. --cert-map 'lab-client:labadmin'" % spec)
        if self.users.canonical(name) is None:
            raise UserError("--cert-map %r: %r is not a lab account; add it with --user %s:PASSWORD" % (spec, name, name))
        self._map[common_name] = self.users.canonical(name)

    def common_names(self):
        return sorted(self._map)

    def account_of(self, common_name):
        return self._map[common_name]

    def user_for(self, peer_cert):
        """The account for a verified peer certificate dict (``SSLSocket.getpeercert()``), or None."""
        if not peer_cert:
            return None
        for rdn in peer_cert.get("subject", ()):
            for key, value in rdn:
                if key == "commonName" and value in self._map:
                    return self._map[value]
        return None


class Outcome:
    """What the HTTP layer must do with a request after authentication."""

    __slots__ = ("identity", "status", "headers", "anonymous")

    def __init__(self, identity=None, status=200, headers=(), anonymous=False):
        self.identity = identity
        self.status = status
        self.headers = list(headers)
        self.anonymous = anonymous

    @property
    def ok(self):
        return self.status == 200


class ConnectionAuth:
    """Authentication state bound to one TCP connection."""

    __slots__ = ("context", "scheme", "identity", "peer_cert", "channel_bindings")

    @property
    def encryption_protocol(self):
        """The MS-WSMV protocol string that messages on this connection must use."""
        if (self.scheme or "").lower() == "credssp":
            return "application/HTTP-CredSSP-session-encrypted"
        return "application/HTTP-SPNEGO-session-encrypted"

    def __init__(self, peer_cert=None, channel_bindings=None):
        self.context = None        # spnego context (in progress or complete)
        self.scheme = None         # "Negotiate" or "NTLM" as the client wrote it
        self.identity = None       # set once a connection-bound handshake completed
        self.peer_cert = peer_cert
        self.channel_bindings = channel_bindings

    @property
    def session_context(self):
        """The complete security context usable for message encryption, or None."""
        if self.identity is not None and self.context is not None:
            return self.context
        return None


def channel_bindings_for(cert_der):
    """RFC 5929 tls-server-end-point bindings for our (SHA-256-signed) server certificate."""
    return GssChannelBindings(application_data=b"tls-server-end-point:" + hashlib.sha256(cert_der).digest())


def _token_has_channel_bindings(token):
    """True when an NTLM AUTHENTICATE message (raw or inside SPNEGO) carries MsvAvChannelBindings."""
    try:
        from spnego._ntlm_raw.messages import Authenticate, AvId, NTClientChallengeV2
        from spnego._spnego import NegTokenResp, unpack_token
        inner = token
        if not token.startswith(b"NTLMSSP\x00"):
            message = unpack_token(token)
            if not isinstance(message, NegTokenResp) or not message.response_token:
                return False
            inner = message.response_token
        if not inner.startswith(b"NTLMSSP\x00\x03"):
            return False
        auth = Authenticate.unpack(inner)
        response = auth.nt_challenge_response or b""
        if len(response) <= 24:
            return False
        av_pairs = NTClientChallengeV2.unpack(response[16:]).av_pairs
        value = av_pairs.get(AvId.channel_bindings)
        return bool(value) and value != b"\x00" * 16
    except Exception:  # a token we cannot parse is judged by the acceptor itself
        return False


class Authenticator:
    """Decides, per request, who is calling and which challenge to send."""

    def __init__(self, config, users, cert_map=None, stats=None, digest=False, identity_class=None, log=None):
        self.config = config
        self.users = users
        self.cert_map = cert_map or CertificateMap(users)
        self.stats = stats
        self.digest = digest
        self.identity_class = identity_class or Identity
        self.log = log or (lambda message: None)
        self._digest_secret = secrets.token_bytes(32)

    # -- challenges ---------------------------------------------------------------------------

    def basic_usable(self, secure):
        return bool(self.config.basic) and (secure or bool(self.config.allow_unencrypted))

    def challenges(self, secure):
        """The WWW-Authenticate values of a 401, in the order Windows lists them."""
        values = []
        if self.config.negotiate or self.config.kerberos:
            values.append("Negotiate")
        if self.basic_usable(secure):
            values.append('Basic realm="WSMAN"')
        if self.digest:
            values.append(self._digest_challenge())
        if getattr(self.config, "credssp", False):
            values.append("CredSSP")
        return values

    def _refuse(self, secure, reason):
        if self.stats is not None:
            self.stats.incr("auth_failures")
        self.log("authentication refused: %s" % reason)
        return Outcome(status=401, headers=[("WWW-Authenticate", value) for value in self.challenges(secure)])

    def _identity(self, user, method):
        return self.identity_class(user, method)

    def _completed(self):
        if self.stats is not None:
            self.stats.incr("authentications")

    # -- the decision ---------------------------------------------------------------------------

    def authenticate(self, conn, headers, secure, method="POST"):
        """Authenticate one request; ``conn`` is the connection's ConnectionAuth."""
        authorization = headers.get("Authorization")
        if not authorization:
            if conn.identity is not None:
                return Outcome(conn.identity)
            if (headers.get("WSMANIDENTIFY") or "").strip().lower() == "unauthenticated":
                return Outcome(None, anonymous=True)
            return Outcome(status=401, headers=[("WWW-Authenticate", value) for value in self.challenges(secure)])

        scheme, dummy, data = authorization.strip().partition(" ")
        lowered = scheme.lower()
        if lowered in ("negotiate", "ntlm", "kerberos", "credssp"):
            return self._spnego(conn, scheme, data.strip(), secure)
        if lowered == "basic":
            return self._basic(data.strip(), secure)
        if lowered == "digest":
            return self._digest(data, secure, method)
        if scheme == MUTUAL_SCHEME:
            return self._certificate(conn, secure)
        return self._refuse(secure, "scheme %r is not offered" % scheme[:40])

    def _spnego(self, conn, scheme, data, secure):
        lowered = scheme.lower()
        if lowered == "kerberos":
            return self._refuse(secure, "Kerberos is not offered (the lab has no KDC; Negotiate falls back to NTLM)")
        if lowered == "credssp" and not getattr(self.config, "credssp", False):
            return self._refuse(secure, "CredSSP is disabled (winrm/config/service/auth CredSSP=false)")
        if lowered != "credssp" and not (self.config.negotiate or self.config.kerberos):
            return self._refuse(secure, "%s is disabled (Auth/Negotiate=false)" % scheme)
        try:
            token = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            return self._refuse(secure, "%s token is not base64" % scheme)
        if not token:
            return self._refuse(secure, "empty %s token" % scheme)
        starting = conn.context is None or conn.identity is not None or conn.scheme != scheme
        if starting or token.startswith(b"NTLMSSP\x00\x01"):
            protocol = {"ntlm": "ntlm", "credssp": "credssp"}.get(lowered, "negotiate")
            conn.context = spnego.server(hostname=self.users.computer_name, service="HTTP", protocol=protocol)
            conn.scheme = scheme
            conn.identity = None
        bindings = None
        level = (getattr(self.config, "cbt_hardening_level", "Relaxed") or "Relaxed").lower()
        if secure and conn.channel_bindings is not None and level != "none" and lowered != "credssp":
            if level == "strict" or _token_has_channel_bindings(token):
                bindings = conn.channel_bindings
        try:
            out = conn.context.step(token, channel_bindings=bindings)
        except Exception as exc:  # any pyspnego error is a failed logon
            conn.context = None
            conn.scheme = None
            return self._refuse(secure, "%s handshake failed: %s" % (scheme, type(exc).__name__))
        if not conn.context.complete:
            return Outcome(status=401, headers=[("WWW-Authenticate", "%s %s" % (scheme, base64.b64encode(out or b"").decode("ascii")))])
        user = self.users.canonical(conn.context.client_principal or "")
        if user is not None and lowered == "credssp":
            user = self._delegated_user(conn.context, user)
        if user is None:
            conn.context = None
            return self._refuse(secure, "principal is not a lab account, or CredSSP delegated other credentials")
        conn.identity = self._identity(user, lowered if lowered in ("ntlm", "credssp") else "negotiate")
        self._completed()
        extra = []
        if out:
            extra.append(("WWW-Authenticate", "%s %s" % (scheme, base64.b64encode(out).decode("ascii"))))
        return Outcome(conn.identity, headers=extra)

    def _delegated_user(self, context, user):
        """CredSSP: the delegated user name and password must be the authenticated account's."""
        try:
            credential = context.get_extra_info("client_credential")
        except Exception:  # no credential delegated
            return None
        name = getattr(credential, "username", None)
        domain = getattr(credential, "domain_name", None)
        password = getattr(credential, "password", None)
        qualified = "%s\\%s" % (domain, name) if domain else name
        return user if self.users.check_password(qualified, password) == user else None

    def _basic(self, data, secure):
        if not self.config.basic:
            return self._refuse(secure, "Basic is disabled (winrm/config/service/auth Basic=false)")
        if not secure and not self.config.allow_unencrypted:
            return self._refuse(secure, "Basic over HTTP needs AllowUnencrypted=true")
        try:
            decoded = base64.b64decode(data, validate=True).decode("utf-8")
        except (binascii.Error, ValueError, UnicodeDecodeError):
            return self._refuse(secure, "Basic credentials are not base64 of NAME:PASSWORD")
        name, sep, password = decoded.partition(":")
        user = self.users.check_password(name, password) if sep else None
        if user is None:
            return self._refuse(secure, "Basic logon failed")
        self._completed()
        return Outcome(self._identity(user, "basic"))

    def _certificate(self, conn, secure):
        if not secure:
            return self._refuse(secure, "certificate authentication needs HTTPS")
        if not self.config.certificate:
            return self._refuse(secure, "certificate authentication is disabled (Auth/Certificate=false)")
        user = self.cert_map.user_for(conn.peer_cert)
        if user is None:
            return self._refuse(secure, "no client certificate, or its subject is not mapped (--cert-map)")
        if conn.scheme != MUTUAL_SCHEME:  # the TLS handshake authenticated once per connection
            conn.scheme = MUTUAL_SCHEME
            self._completed()
        return Outcome(self._identity(user, "certificate"))

    # -- Digest ---------------------------------------------------------------------------------

    @property
    def digest_realm(self):
        return "Digest:%s" % self.users.computer_name

    def _make_nonce(self):
        stamp = str(int(time.time())).encode("ascii")
        mac = hmac.new(self._digest_secret, stamp, hashlib.sha256).hexdigest()[:32]
        return base64.b64encode(stamp + b":" + mac.encode("ascii")).decode("ascii")

    def _nonce_fresh(self, nonce):
        try:
            stamp, dummy, mac = base64.b64decode(nonce, validate=True).partition(b":")
            age = time.time() - int(stamp)
        except (binascii.Error, ValueError):
            return False
        expected = hmac.new(self._digest_secret, stamp, hashlib.sha256).hexdigest()[:32].encode("ascii")
        return hmac.compare_digest(mac, expected) and 0 <= age <= DIGEST_NONCE_SECONDS

    def _digest_challenge(self, stale=False):
        return 'Digest realm="%s", nonce="%s", stale="%s", qop="auth"' % (self.digest_realm, self._make_nonce(), "true" if stale else "false")

    def _digest(self, data, secure, method):
        if not self.digest:
            return self._refuse(secure, "Digest is not accepted (the WinRM service never accepts it; start the lab with --digest)")
        params = _parse_digest(data)
        name = params.get("username", "")
        user = self.users.canonical(name)
        needed = ("realm", "nonce", "uri", "response")
        if user is None or any(key not in params for key in needed) or params["realm"] != self.digest_realm:
            return self._refuse(secure, "Digest parameters incomplete or unknown user/realm")
        if (params.get("algorithm") or "MD5").upper() != "MD5":
            return self._refuse(secure, "Digest algorithm %r not supported (MD5 only, as Intel AMT)" % params.get("algorithm"))
        if not self._nonce_fresh(params["nonce"]):
            if self.stats is not None:
                self.stats.incr("auth_failures")
            return Outcome(status=401, headers=[("WWW-Authenticate", self._digest_challenge(stale=True))])
        password = self.users.password_of(user)
        ha1 = _md5("%s:%s:%s" % (name, params["realm"], password))
        ha2 = _md5("%s:%s" % (method, params["uri"]))
        if params.get("qop"):
            expected = _md5("%s:%s:%s:%s:%s:%s" % (ha1, params["nonce"], params.get("nc", ""), params.get("cnonce", ""), params["qop"], ha2))
        else:
            expected = _md5("%s:%s:%s" % (ha1, params["nonce"], ha2))
        if not hmac.compare_digest(expected, params["response"].lower()):
            return self._refuse(secure, "Digest response does not match")
        self._completed()
        return Outcome(self._identity(user, "digest"))


def _md5(text):
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _parse_digest(data):
    params = {}
    rest = data.strip()
    while rest:
        key, sep, rest = rest.partition("=")
        if not sep:
            break
        key = key.strip().strip(",").strip().lower()
        rest = rest.lstrip()
        if rest.startswith('"'):
            end = rest.find('"', 1)
            if end < 0:
                break
            value, rest = rest[1:end], rest[end + 1:]
        else:
            value, dummy, rest = rest.partition(",")
        params[key] = value.strip()
        rest = rest.lstrip().lstrip(",")
    return params
