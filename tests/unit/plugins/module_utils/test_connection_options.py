# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ConnectionOptions (facts §4): write-only passwords, certificate files, set_proxy rules R30/R31, Secret."""

from __future__ import annotations

import copy
import logging
import pickle

import pytest

from ansible_collections.wsman.automation.plugins.module_utils._connection_options import ConnectionOptions
from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManInvalidArgumentError
from ansible_collections.wsman.automation.plugins.module_utils._flags import ProxyAccessType, ProxyAuthentication
from ansible_collections.wsman.automation.plugins.module_utils._secret import Secret, to_secret
from ansible_collections.wsman.automation.plugins.module_utils._wsman import WSMan

PASSWORD = 'Pa55-w0rd-never-shown'
PROXY_PASSWORD = 'Pr0xy-secret-never-shown'


def test_create_connection_options_is_empty():
    options = WSMan().create_connection_options()
    assert isinstance(options, ConnectionOptions)
    assert options.is_empty()
    assert options.username is None
    assert options.password_secret is None
    assert options.proxy_access_type is None


def test_constructor_arguments():
    options = ConnectionOptions('DOMAIN\\user', PASSWORD, '/tmp/c.pem', '/tmp/k.pem')
    assert options.username == 'DOMAIN\\user'
    assert options.password_secret.reveal() == PASSWORD
    assert options.certificate_pem == '/tmp/c.pem'
    assert options.certificate_key_pem == '/tmp/k.pem'
    assert not options.is_empty()


def test_password_is_write_only():
    options = ConnectionOptions()
    options.password = PASSWORD
    assert options.has_password
    with pytest.raises(AttributeError, match='write-only'):
        options.password  # pylint: disable=pointless-statement
    assert options.password_secret.reveal() == PASSWORD


def test_clearing_password_and_username():
    options = ConnectionOptions('u', PASSWORD)
    options.password = None
    options.username = ''
    assert not options.has_password and options.username is None
    assert options.is_empty()


def _all_text(options):
    return repr(options) + str(options) + '%s %r' % (options, options) + '{0}'.format(options)


def test_password_never_in_repr_str_or_format():
    options = ConnectionOptions('user', PASSWORD)
    options.set_proxy(ProxyAccessType.WIN_HTTP_CONFIG, ProxyAuthentication.USE_BASIC, 'puser', PROXY_PASSWORD,
                      url='http://proxy.example.com:3128')
    text = _all_text(options)
    assert PASSWORD not in text and PROXY_PASSWORD not in text
    assert 'password=<set>' in text
    assert "username='user'" in text and "proxy_username='puser'" in text


def test_password_never_logged(caplog):
    options = ConnectionOptions('user', PASSWORD)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger('test').debug('options %s %r secret %s', options, options, options.password_secret)
    assert PASSWORD not in caplog.text
    assert '********' in caplog.text


def test_options_cannot_be_pickled_but_can_be_copied():
    options = ConnectionOptions('user', PASSWORD)
    with pytest.raises(TypeError, match='password'):
        pickle.dumps(options)
    for clone in (copy.copy(options), copy.deepcopy(options), options.copy()):
        assert clone is not options
        assert clone.password_secret.reveal() == PASSWORD
        clone.username = 'other'
        assert options.username == 'user'


def test_secret_masks_everything():
    secret = Secret(PASSWORD)
    for text in (repr(secret), str(secret), '%s' % secret, '{0}'.format(secret), '{0:>30}'.format(secret), f'{secret!s}'):
        assert PASSWORD not in text
    assert str(secret) == '********'
    assert secret.reveal() == PASSWORD
    assert Secret(secret).reveal() == PASSWORD
    assert secret == Secret(PASSWORD) and secret != Secret('other')
    assert bool(secret) and len(secret) == len(PASSWORD)
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    with pytest.raises(AttributeError):
        secret._value = 'x'  # pylint: disable=protected-access
    with pytest.raises(TypeError):
        Secret(123)
    assert to_secret(None) is None and to_secret(secret) is secret
    assert copy.deepcopy(secret) is secret


@pytest.mark.parametrize('attribute', ['certificate_pem', 'certificate_key_pem', 'ca_file', 'crl_file'])
def test_file_attributes_take_paths_not_pem_text(attribute):
    options = ConnectionOptions()
    setattr(options, attribute, '/etc/pki/x.pem')
    assert getattr(options, attribute) == '/etc/pki/x.pem'
    setattr(options, attribute, '')
    assert getattr(options, attribute) is None
    with pytest.raises(WSManInvalidArgumentError) as info:
        setattr(options, attribute, '-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n')
    assert info.value.argument == attribute
    assert 'path' in str(info.value)


def test_certificate_thumbprint_explains_the_linux_mapping():
    options = ConnectionOptions()
    with pytest.raises(WSManInvalidArgumentError, match='certificate_pem'):
        options.certificate_thumbprint = '7b0cf48026409e38a2d6348761b1dd1271c4f86d'
    with pytest.raises(AttributeError, match='certificate_pem'):
        options.certificate_thumbprint  # pylint: disable=pointless-statement


@pytest.mark.parametrize('attribute', ['username', 'password', 'ca_file'])
def test_non_text_values_are_refused(attribute):
    with pytest.raises(WSManInvalidArgumentError) as info:
        setattr(ConnectionOptions(), attribute, 42)
    assert info.value.argument == attribute


# -- set_proxy ------------------------------------------------------------------------------------

@pytest.mark.parametrize('access, expected', [
    (ProxyAccessType.IE_CONFIG, ProxyAccessType.IE_CONFIG),
    (2, ProxyAccessType.WIN_HTTP_CONFIG),
    ('ProxyAutoDetect', ProxyAccessType.AUTO_DETECT),
    ('WSManProxyNoProxyServer', ProxyAccessType.NO_PROXY_SERVER),
    ('ie_settings', ProxyAccessType.IE_CONFIG),
    (None, ProxyAccessType.WIN_HTTP_CONFIG),  # [CONFLICT] §4.3 resolved: WinHTTP is the default
])
def test_set_proxy_access_types(access, expected):
    options = ConnectionOptions()
    options.set_proxy(access)
    assert options.proxy_access_type == expected
    assert options.uses_proxy == (expected != ProxyAccessType.NO_PROXY_SERVER)
    assert not options.is_empty()


def test_set_proxy_full():
    options = ConnectionOptions()
    options.set_proxy('ProxyIEConfig', 'ProxyAuthenticationUseNegotiate', 'CORP\\proxyuser', PROXY_PASSWORD,
                      url='https://proxy.example.com:8443')
    assert options.proxy_authentication == ProxyAuthentication.USE_NEGOTIATE
    assert options.proxy_username == 'CORP\\proxyuser'
    assert options.proxy_password_secret.reveal() == PROXY_PASSWORD
    assert options.proxy_url == 'https://proxy.example.com:8443'
    with pytest.raises(AttributeError, match='write-only'):
        options.proxy_password  # pylint: disable=pointless-statement


def test_set_proxy_negotiate_without_credentials_uses_current_user():
    options = ConnectionOptions()
    options.set_proxy(ProxyAccessType.WIN_HTTP_CONFIG, ProxyAuthentication.USE_NEGOTIATE)
    assert options.proxy_username is None and options.proxy_password_secret is None


PROXY_ERRORS = [
    # R30 access type must be exactly one value
    (dict(access_type=3), 'ERROR_WSMAN_PROXY_ACCESS_TYPE', 'R30'),
    (dict(access_type='ProxyIEConfig|ProxyAutoDetect'), 'ERROR_WSMAN_PROXY_ACCESS_TYPE', 'R30'),
    (dict(access_type=0), 'ERROR_WSMAN_PROXY_ACCESS_TYPE', 'R30'),
    (dict(access_type=16), 'ERROR_WSMAN_PROXY_ACCESS_TYPE', 'R30'),
    (dict(access_type='corporate'), 'ERROR_WSMAN_PROXY_ACCESS_TYPE', 'R30'),
    # R30 only one proxy auth mechanism; a bad value
    (dict(access_type=1, authentication_mechanism=3, username='u', password='p'), 'ERROR_WSMAN_CLIENT_MULTIPLE_PROXY_AUTH_FLAGS', 'R30'),
    (dict(access_type=1, authentication_mechanism='basic|digest', username='u', password='p'),
     'ERROR_WSMAN_CLIENT_MULTIPLE_PROXY_AUTH_FLAGS', 'R30'),
    (dict(access_type=1, authentication_mechanism=8), 'ERROR_WSMAN_PROXY_AUTHENTICATION_INVALID_FLAG', 'R30'),
    (dict(access_type=1, authentication_mechanism='ntlm'), 'ERROR_WSMAN_PROXY_AUTHENTICATION_INVALID_FLAG', 'R30'),
    # R30 NoProxyServer with credentials
    (dict(access_type=8, authentication_mechanism=2, username='u', password='p'), 'ERROR_WSMAN_INVALID_OPTION_NO_PROXY_SERVER', 'R30'),
    (dict(access_type='no_proxy', url='http://proxy.example.com:3128'), 'ERROR_WSMAN_INVALID_OPTION_NO_PROXY_SERVER', 'R30'),
    # R31 password needs user name; user name needs a mechanism
    (dict(access_type=1, authentication_mechanism=2, password='p'), 'ERROR_WSMAN_CLIENT_CREDENTIALS_FOR_PROXY_AUTHENTICATION', 'R31'),
    (dict(access_type=1, username='u', password='p'), 'ERROR_WSMAN_CLIENT_CREDENTIALS_FOR_PROXY_AUTHENTICATION', 'R31'),
    # R30 user name and password must both be valid; Basic/Digest need them
    (dict(access_type=1, authentication_mechanism=2, username='u'), 'ERROR_WSMAN_CLIENT_CREDENTIALS_FOR_PROXY_AUTHENTICATION', 'R30'),
    (dict(access_type=1, authentication_mechanism='ProxyAuthenticationUseBasic'),
     'ERROR_WSMAN_CLIENT_CREDENTIALS_FOR_PROXY_AUTHENTICATION', 'R30'),
    (dict(access_type=1, authentication_mechanism=4), 'ERROR_WSMAN_CLIENT_CREDENTIALS_FOR_PROXY_AUTHENTICATION', 'R30'),
    # proxy URL
    (dict(access_type=1, url='http://user:%s@proxy:3128' % PROXY_PASSWORD), 'ERROR_WSMAN_INVALID_PARAMETER', 'R30'),
    (dict(access_type=1, url='socks5://proxy:1080'), 'ERROR_WSMAN_INVALID_PARAMETER', None),
    (dict(access_type=1, url='http://proxy:99999'), 'ERROR_WSMAN_INVALID_PARAMETER', None),
    (dict(access_type=1, url='proxy.example.com'), 'ERROR_WSMAN_INVALID_PARAMETER', None),
]


@pytest.mark.parametrize('kwargs, name, rule', PROXY_ERRORS)
def test_set_proxy_errors(kwargs, name, rule):
    options = ConnectionOptions()
    with pytest.raises(WSManInvalidArgumentError) as info:
        options.set_proxy(**kwargs)
    err = info.value
    assert err.error_name == name
    assert err.rule == rule
    assert PROXY_PASSWORD not in str(err)
    assert options.proxy_access_type is None  # nothing half-set


def test_failed_set_proxy_keeps_the_previous_proxy():
    options = ConnectionOptions()
    options.set_proxy(ProxyAccessType.AUTO_DETECT)
    with pytest.raises(WSManInvalidArgumentError):
        options.set_proxy(3)
    assert options.proxy_access_type == ProxyAccessType.AUTO_DETECT
