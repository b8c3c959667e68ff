# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # The session options of every wsman_* module. Kept side by side with
    # plugins/module_utils/_module_args.py SESSION_ARGUMENT_SPEC: change both together
    # (validate-modules compares them).

    DOCUMENTATION = r"""
options:
  connection:
    description:
      - The CreateSession connection string C(<Transport><Address><Suffix>) of the WS-Management service,
        for example V(server1.example.com), V(https://server1.example.com), V(https://server1.example.com:5986/wsman),
        V(192.0.2.10) or V(https://[2001:db8::10]:5986/wsman).
      - Without a scheme the port defaults to 5985 (5986 with the C(UseSsl) flag); with an explicit V(http://) or
        V(https://) and no port it defaults to 80 or 443, as in Windows. The path defaults to V(wsman).
      - Used only when the task does not run over the P(wsman.automation.wsman#connection) connection plugin (for
        example with C(delegate_to) V(localhost) or in an ad-hoc command); with that connection the host's
        connection settings choose the endpoint and this option is ignored.
      - Required in that case; a task without it fails before anything is sent, naming this option. An empty string
        asks for a Windows I(local session) (no credentials, no Identify); V(localhost) written out is a remote
        session to the loopback address.
    type: str
  flags:
    description:
      - The CreateSession session flags, as an integer, a list, or a string of names joined by C(|).
      - Names may be written as in Windows (V(WSManFlagUseBasic), V(SessionFlagUseBasic), V(UseBasic)) or in
        snake case (V(use_basic)), for example V(use_basic|cred_username_password|no_encryption).
      - Impossible combinations (two authentication mechanisms, C(NoEncryption) on HTTPS, C(UseSsl) with an
        explicit V(http://), ...) fail before any network traffic, with the Windows error code of the rule.
    type: raw
  username:
    description:
      - The user name for Basic, Digest, Negotiate, Kerberos or CredSSP authentication, for example
        V(Administrator), V(SERVER1\\Administrator) or V(user@EXAMPLE.COM).
      - If not set, the value of the E(WSMAN_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - The password of O(username). It is never returned or logged.
      - If not set, the value of the E(WSMAN_PASSWORD) environment variable is used.
    type: str
  ca_file:
    description:
      - Path of a PEM file with the certificate authorities that sign the server certificate (HTTPS).
      - The C(SkipCACheck), C(SkipCNCheck) and C(SkipRevocationCheck) flags relax the server certificate checks.
    type: path
  crl_file:
    description:
      - Path of a PEM file with certificate revocation lists used to check the server certificate (HTTPS).
    type: path
  client_cert:
    description:
      - Path of the PEM client certificate for certificate authentication (the C(UseClientCertificate) flag,
        HTTPS only).
    type: path
  client_key:
    description:
      - Path of the PEM private key of O(client_cert), if the certificate file does not contain it.
    type: path
  proxy_access_type:
    description:
      - How the proxy is found, as C(SetProxy) access type in Windows.
      - V(no_proxy) connects directly and ignores proxy environment variables. V(ie_settings),
        V(winhttp_settings) and V(auto_detect) take the proxy from the environment of the process that runs
        the task (C(HTTPS_PROXY), C(NO_PROXY)) unless O(proxy) names it.
      - Proxies are only valid with HTTPS, and neither with Kerberos nor with CredSSP.
    type: str
    choices: [ie_settings, winhttp_settings, auto_detect, no_proxy]
  proxy:
    description:
      - The URL of the HTTP proxy to use, for example V(http://proxy.example.com:3128).
    type: str
  proxy_auth:
    description:
      - The authentication mechanism for the proxy.
    type: str
    choices: [basic, digest, negotiate]
  proxy_username:
    description:
      - The user name for the proxy; needs O(proxy_auth).
    type: str
  proxy_password:
    description:
      - The password of O(proxy_username). It is never returned or logged.
      - If not set, the value of the E(WSMAN_PROXY_PASSWORD) environment variable is used.
    type: str
  trusted_hosts:
    description:
      - The client's C(TrustedHosts) list in the Windows syntax (comma-separated names, IP addresses, C(*)
        wildcards, IPv6 in brackets, V(<local>)), the stand-in for C(winrm/config/client/TrustedHosts) on the
        controller.
      - Basic, Digest and Negotiate over HTTP are only allowed to trusted hosts. Loopback addresses are always
        trusted.
    type: str
    default: ''
  allow_unencrypted:
    description:
      - The stand-in for C(winrm/config/client/AllowUnencrypted) on the controller. The C(NoEncryption) flag
        needs it.
    type: bool
    default: false
  domain_joined:
    description:
      - Whether the controller counts as a member of an Active Directory domain when the default
        authentication mechanism is chosen (Kerberos in a domain, Negotiate otherwise).
    type: bool
    default: false
  timeout:
    description:
      - The operation timeout in milliseconds (C(Session.Timeout)); the service is asked to answer within it
        and the client waits that long plus a network delay.
      - If not set, the session's timeout applies (60000 ms unless the connection sets another).
      - This option also applies with the P(wsman.automation.wsman#connection) connection, for this task only.
    type: int
  locale:
    description:
      - The locale the service should use for messages, for example V(en-US).
      - This option also applies with the P(wsman.automation.wsman#connection) connection, for this task only.
    type: str
  max_envelope_size:
    description:
      - The largest SOAP envelope, in KB, the service may send in one reply (the C(MaxEnvelopeSize) header).
      - If not set, the session's value applies (150 KB unless the connection sets another).
      - This option also applies with the P(wsman.automation.wsman#connection) connection, for this task only.
    type: int
  batch_items:
    description:
      - Used by M(wsman.automation.wsman_enumerate) only; the other modules accept and ignore it, so that
        C(module_defaults) can set it for the whole C(group/wsman.automation.wsman).
      - The number of items asked for per Pull request of an enumeration (C(Session.BatchItems)).
      - The modules default to 100, not to Windows' documented C(BatchItems) default of 20 that the library
        uses, to need fewer round trips. The service may send fewer.
      - This option also applies with the P(wsman.automation.wsman#connection) connection, for this task only.
    type: int
    default: 100
notes:
  - The session options (O(connection), O(flags), O(username), O(password), ...) build a session the way
    C(WSMan.CreateSession) does; nothing is sent until the first operation.
  - Set them once for many tasks with C(module_defaults) and the action group C(group/wsman.automation.wsman), see
    the examples.
  - With the P(wsman.automation.wsman#connection) connection plugin, the host's session is used and only
    O(timeout), O(locale), O(max_envelope_size) and O(batch_items) of these options apply.
requirements:
  - lxml
  - pywinrm
"""
