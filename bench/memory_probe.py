"""Child process of the memory benchmark: one wsman_enumerate run streamed to a file.

Prints one JSON line: the peak resident set size before and after the enumeration (KiB) and the
number of items written. Run by bench/run.py; it is a separate process so that each measurement
starts from a clean heap. The peak is the kernel's VmHWM of this process (/proc/self/status), not
getrusage's ru_maxrss: Linux carries ru_maxrss over exec from the parent at fork time, so it would
report the (large) bench process instead of this run.
"""

import json
import sys

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.wsman.automation.plugins.module_utils._module_args import (
    session_from_params,
    validator_kwargs,
)
from ansible_collections.wsman.automation.plugins.module_utils._task_runner import run_task


def _status_kib(field):
    with open('/proc/self/status', encoding='ascii') as handle:
        for line in handle:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise SystemExit('/proc/self/status has no %s' % field)


def main():
    url, username, password, batch_items, dest = sys.argv[1:6]
    args = {
        'connection': url,
        'flags': 'UseNegotiate|CredUsernamePassword',
        'username': username,
        'password': password,
        'resource_uri': 'wmicimv2/Win32_Service',
        'batch_items': int(batch_items),
        # large enough that a batch really holds batch_items instances (the lab allows 8 MiB)
        'max_envelope_size': 8192,
        'dest': dest,
    }
    validation = ArgumentSpecValidator(**validator_kwargs('wsman_enumerate')).validate(args)
    if validation.error_messages:
        raise SystemExit('invalid arguments: %s' % validation.error_messages)
    params = validation.validated_parameters
    # The HTTP stack is imported on first use; import it now so that the growth is the enumeration's.
    __import__('ansible_collections.wsman.automation.plugins.module_utils._transport')
    __import__('spnego')
    before = _status_kib('VmHWM')
    session = session_from_params(params)
    with session:
        result = run_task('wsman_enumerate', params, session)
    after = _status_kib('VmHWM')
    print(json.dumps({'rss_before_kib': before, 'rss_peak_kib': after, 'count': result.get('count')}))


if __name__ == '__main__':
    main()
