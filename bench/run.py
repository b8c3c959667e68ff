"""Benchmarks of wsman.automation against a peer, measured in the same run (``make bench``).

1. Enumerating 10,000 Win32_Service instances into dicts: this library vs pypsrp's WSMan doing
   the same optimized Enumerate/Pull loop and parse, over NTLM with message encryption.
   Items per second and the ratio (target: at least 2x pypsrp).
2. A playbook of 50 wsman_get tasks against one host over NTLM with the persistent ``wsman``
   connection vs the same 50 requests sent by ansible.builtin.uri with hand-built SOAP bodies over
   Basic. Wall time and the ratio (target: at most half the time).
3. Peak memory of a wsman_enumerate streamed to a file (``dest``) with max_items unset: measured
   for two enumeration sizes and two batch sizes; it must grow with the batch size, not with the
   total.

Everything runs against the lab endpoint (tests/lab/wsman_lab.py) on loopback. The table is
printed and written as JSON to bench/results/bench.json. Timings are medians of several runs; the
enumeration clients run against a warm lab, alternating which goes first.
"""

import argparse
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
LAB = os.path.join(REPO, 'tests', 'lab', 'wsman_lab.py')
USER, PASSWORD = 'bench', 'Bench-Passw0rd!'
SERVICE_URI = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service'


class Lab:
    """The lab endpoint as a subprocess on a free loopback port."""

    def __init__(self, workdir, services, *extra):
        self.port_file = os.path.join(tempfile.mkdtemp(prefix='lab-%d-' % services, dir=workdir), 'ports.json')
        users_file = os.path.join(workdir, 'users')
        with open(users_file, 'w', encoding='utf-8') as handle:
            handle.write('%s:%s\n' % (USER, PASSWORD))
        command = [sys.executable, LAB, '--bind', '127.0.0.1', '--http-port', '0', '--no-https',
                   '--users-file', users_file, '--services', str(services), '--port-file', self.port_file,
                   '--quiet', '--max-runtime', '3600'] + list(extra)
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not os.path.exists(self.port_file):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit('the lab endpoint did not start: %s' % ' '.join(command))
            time.sleep(0.1)
        with open(self.port_file, encoding='utf-8') as handle:
            self.info = json.load(handle)

    @property
    def url(self):
        return self.info['http_url']

    @property
    def port(self):
        return self.info['http_port']

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def median_time(function, repeats):
    times, result = [], None
    for dummy in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def bench_enumeration(workdir, count, batch_items, repeats):
    """Both clients against one warm lab: a warm-up run each, then alternating timed runs, medians.

    The lab builds its instances on first use, so the warm-up keeps the first measured client from
    paying for that; alternating the order (ours first, then pypsrp first, ...) spreads any drift in
    machine load over both sides. Client CPU time (this process) is reported next to wall time.
    """
    sys.path[:0] = [HERE, _collections_path(workdir)]
    import ours  # pylint: disable=import-outside-toplevel
    import peer_pypsrp  # pylint: disable=import-outside-toplevel

    lab = Lab(workdir, count, '--max-envelope-size-kb', '4096')
    clients = {
        'ours': lambda: ours.enumerate_all(lab.url, USER, PASSWORD, 'wmicimv2/Win32_Service', batch_items, 4194304),
        'pypsrp': lambda: peer_pypsrp.enumerate_all('127.0.0.1', lab.port, USER, PASSWORD, SERVICE_URI, batch_items, 4194304),
    }
    wall = {name: [] for name in clients}
    cpu = {name: [] for name in clients}
    items = {}
    try:
        for name, function in clients.items():  # warm-up (not measured)
            items[name] = function()
        order = list(clients)
        for index in range(repeats):
            for name in order if index % 2 == 0 else order[::-1]:
                # Each run starts from the same heap: the previous result of this client is freed
                # and collected first (not inside anyone's timing).
                items[name] = None
                gc.collect()
                cpu_start, start = time.process_time(), time.perf_counter()
                items[name] = clients[name]()
                wall[name].append(time.perf_counter() - start)
                cpu[name].append(time.process_time() - cpu_start)
        # Diagnostic, not a target: the same enumeration without the dict conversion. Pulls are
        # sequential (each carries the context of the previous reply), so the service's answer,
        # reading, unsealing and parsing form a chain no client can shorten; this time bounds
        # what overlapping the conversion with the service can reach.
        floor = []
        for dummy in range(repeats):
            start = time.perf_counter()
            floor_count = ours.enumerate_elements(lab.url, USER, PASSWORD, 'wmicimv2/Win32_Service', batch_items, 4194304)
            floor.append(time.perf_counter() - start)
        if floor_count != count:
            raise SystemExit('the element-only enumeration returned %d items, expected %d' % (floor_count, count))
    finally:
        lab.stop()
    ours_items, peer_items = items['ours'], items['pypsrp']
    if len(ours_items) != count or len(peer_items) != count:
        raise SystemExit('enumeration returned %d (ours) and %d (pypsrp) items, expected %d'
                         % (len(ours_items), len(peer_items), count))
    if ours_items != peer_items:
        raise SystemExit('the two clients disagree on the items, e.g.:\n%r\n%r' % (ours_items[0], peer_items[0]))
    ours_s, peer_s = statistics.median(wall['ours']), statistics.median(wall['pypsrp'])
    return {
        'items': count,
        'batch_items': batch_items,
        'max_envelope_size': 4194304,
        'runs_per_client': repeats,
        'ours_seconds': round(ours_s, 3),
        'pypsrp_seconds': round(peer_s, 3),
        'ours_runs_seconds': [round(value, 3) for value in wall['ours']],
        'pypsrp_runs_seconds': [round(value, 3) for value in wall['pypsrp']],
        'ours_client_cpu_seconds': round(statistics.median(cpu['ours']), 3),
        'pypsrp_client_cpu_seconds': round(statistics.median(cpu['pypsrp']), 3),
        'ours_items_per_second': round(count / ours_s),
        'pypsrp_items_per_second': round(count / peer_s),
        'ratio': round(peer_s / ours_s, 2),
        'target': '>= 2.0',
        'ours_without_conversion_seconds': round(statistics.median(floor), 3),
        'ratio_bound': round(peer_s / statistics.median(floor), 2),
    }


def _collections_path(workdir):
    root = os.path.join(workdir, 'collections', 'ansible_collections', 'wsman')
    os.makedirs(root, exist_ok=True)
    link = os.path.join(root, 'automation')
    if not os.path.exists(link):
        os.symlink(REPO, link)
    return os.path.join(workdir, 'collections')


def _soap_get(url, index):
    return (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header>'
        '<a:To>%s</a:To>'
        '<w:ResourceURI s:mustUnderstand="true">%s</w:ResourceURI>'
        '<a:ReplyTo><a:Address s:mustUnderstand="true">'
        'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>'
        '<a:Action s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</a:Action>'
        '<w:MaxEnvelopeSize s:mustUnderstand="true">153600</w:MaxEnvelopeSize>'
        '<a:MessageID>uuid:00000000-0000-4000-8000-%012d</a:MessageID>'
        '<w:Locale xml:lang="en-US" s:mustUnderstand="false"/>'
        '<w:OperationTimeout>PT60.000S</w:OperationTimeout>'
        '<w:SelectorSet><w:Selector Name="Name">WinRM</w:Selector></w:SelectorSet>'
        '</s:Header><s:Body/></s:Envelope>' % (url, SERVICE_URI, index))


def _write_playbooks(workdir, lab, tasks):
    inventory = os.path.join(workdir, 'inventory.ini')
    with open(inventory, 'w', encoding='utf-8') as handle:
        handle.write(
            '[lab]\nlab01 ansible_connection=wsman.automation.wsman ansible_wsman_connection=%s '
            "ansible_user=%s ansible_password='%s' ansible_wsman_flags='UseNegotiate|CredUsernamePassword'\n"
            '[local]\nlocalhost ansible_connection=local ansible_python_interpreter=%s\n'
            % (lab.url, USER, PASSWORD, sys.executable))
    wsman_play = os.path.join(workdir, 'wsman_get.yml')
    uri_play = os.path.join(workdir, 'uri_get.yml')
    with open(wsman_play, 'w', encoding='utf-8') as handle:
        handle.write('- hosts: lab\n  gather_facts: false\n  tasks:\n')
        for index in range(tasks):
            handle.write(
                '    - name: Get the WinRM service (%d)\n      wsman.automation.wsman_get:\n'
                '        resource_uri: wmicimv2/Win32_Service\n        selectors: {Name: WinRM}\n' % index)
    with open(uri_play, 'w', encoding='utf-8') as handle:
        handle.write('- hosts: localhost\n  gather_facts: false\n  tasks:\n')
        for index in range(tasks):
            handle.write(
                '    - name: Get the WinRM service by hand (%d)\n      ansible.builtin.uri:\n'
                '        url: %s\n        method: POST\n        user: %s\n        password: "%s"\n'
                '        force_basic_auth: true\n        headers: {Content-Type: "application/soap+xml;charset=UTF-8"}\n'
                '        body: %s\n        return_content: true\n'
                % (index, lab.url, USER, PASSWORD, json.dumps(_soap_get(lab.url, index))))
    return inventory, wsman_play, uri_play


def _playbook(env, inventory, playbook):
    start = time.perf_counter()
    completed = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', inventory, playbook],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise SystemExit('%s failed:\n%s' % (playbook, completed.stdout[-4000:]))
    return elapsed


def bench_playbooks(workdir, tasks, repeats):
    lab = Lab(workdir, 200, '--basic', '--allow-unencrypted')
    try:
        inventory, wsman_play, uri_play = _write_playbooks(workdir, lab, tasks)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=_collections_path(workdir), ANSIBLE_HOST_KEY_CHECKING='False',
                   ANSIBLE_PERSISTENT_CONTROL_PATH_DIR=os.path.join(workdir, 'pc'), ANSIBLE_LOCAL_TEMP=os.path.join(workdir, 'tmp'),
                   ANSIBLE_NOCOLOR='1')
        before = _lab_stats(lab)
        wsman_s, dummy = median_time(lambda: _playbook(env, inventory, wsman_play), repeats)
        after = _lab_stats(lab)
        uri_s, dummy = median_time(lambda: _playbook(env, inventory, uri_play), repeats)
    finally:
        lab.stop()
    return {
        'tasks': tasks,
        'wsman_connection_seconds': round(wsman_s, 2),
        'uri_basic_seconds': round(uri_s, 2),
        'ratio': round(wsman_s / uri_s, 2),
        'authentications_per_playbook_run': (after.get('authentications', 0) - before.get('authentications', 0)) / repeats,
        'target': '<= 0.5',
    }


def _lab_stats(lab):
    import urllib.request  # pylint: disable=import-outside-toplevel
    with urllib.request.urlopen('http://127.0.0.1:%d/lab/stats' % lab.port, timeout=10) as response:
        return json.load(response)


def _probe(workdir, lab, batch_items):
    dest = os.path.join(workdir, 'items-%d-%d.jsonl' % (lab.info['http_port'], batch_items))
    env = dict(os.environ, PYTHONPATH=_collections_path(workdir))
    completed = subprocess.run([sys.executable, os.path.join(HERE, 'memory_probe.py'), lab.url, USER, PASSWORD, str(batch_items), dest],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit('memory probe failed:\n%s' % completed.stderr[-4000:])
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    os.unlink(dest)
    return result


def bench_memory(workdir, totals, batches):
    rows = []
    for total in totals:
        lab = Lab(workdir, total, '--max-envelope-size-kb', '8192')
        try:
            for batch in batches:
                probe = _probe(workdir, lab, batch)
                if probe['count'] != total:
                    raise SystemExit('memory probe wrote %s items, expected %d' % (probe['count'], total))
                rows.append({'items': total, 'batch_items': batch,
                             'rss_growth_mib': round((probe['rss_peak_kib'] - probe['rss_before_kib']) / 1024.0, 1),
                             'rss_peak_mib': round(probe['rss_peak_kib'] / 1024.0, 1)})
        finally:
            lab.stop()
    return rows


def memory_verdict(rows):
    """How peak growth scales with the batch size (at the largest total) and with the total (at the largest batch)."""
    growth = {(row['items'], row['batch_items']): max(row['rss_growth_mib'], 0.1) for row in rows}
    totals = sorted({items for items, dummy in growth})
    batches = sorted({batch for dummy, batch in growth})
    by_batch = growth[(totals[-1], batches[-1])] / growth[(totals[-1], batches[0])]
    by_total = growth[(totals[-1], batches[-1])] / growth[(totals[0], batches[-1])]
    return {'growth_by_batch': round(by_batch, 1), 'growth_by_total': round(by_total, 2),
            'ok': by_batch > 1.5 and by_total < 1.25}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--quick', action='store_true', help='smaller sizes and one repeat (a smoke run)')
    parser.add_argument('--output', default=os.path.join(HERE, 'results', 'bench.json'))
    parser.add_argument('--only', choices=('enumeration', 'playbook', 'memory'), action='append',
                        help='run only this benchmark (repeatable); default: all three')
    args = parser.parse_args()
    wanted = set(args.only or ('enumeration', 'playbook', 'memory'))
    items, tasks, repeats = (2000, 10, 1) if args.quick else (10000, 50, 3)
    totals = (2000, 10000) if args.quick else (20000, 100000)
    workdir = tempfile.mkdtemp(prefix='wsman-bench-')
    try:
        results = {}
        if 'enumeration' in wanted:
            results['enumeration'] = bench_enumeration(workdir, items, 500, 1 if args.quick else 9)
        if 'playbook' in wanted:
            results['playbook'] = bench_playbooks(workdir, tasks, repeats if repeats < 3 else 2)
        if 'memory' in wanted:
            results['memory'] = bench_memory(workdir, totals, (100, 1000))
            results['memory_verdict'] = memory_verdict(results['memory'])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    with open(args.output, 'w', encoding='utf-8') as handle:
        json.dump(results, handle, indent=2)
    print_table(results)
    print('\nwritten: %s' % args.output)


def print_table(results):
    """The results as Markdown tables (what make bench prints)."""
    print('\nwsman.automation benchmarks (lab endpoint on loopback, NTLM + message encryption)\n')
    print('| benchmark | wsman.automation | peer | ratio | target |')
    print('| --- | --- | --- | --- | --- |')
    enum = results.get('enumeration')
    if enum:
        print('| enumerate %d Win32_Service into dicts (batch %d) | %d items/s | pypsrp %d items/s | %.2fx faster | %s |'
              % (enum['items'], enum['batch_items'], enum['ours_items_per_second'], enum['pypsrp_items_per_second'],
                 enum['ratio'], enum['target']))
        print('| (same runs) client CPU per enumeration, median | %.3f s | pypsrp %.3f s | %.2fx less | |'
              % (enum['ours_client_cpu_seconds'], enum['pypsrp_client_cpu_seconds'],
                 enum['pypsrp_client_cpu_seconds'] / max(enum['ours_client_cpu_seconds'], 1e-9)))
        print('| (diagnostic) the same enumeration without the dict conversion | %.3f s | pypsrp %.3f s with it | '
              'at most %.2fx | |' % (enum['ours_without_conversion_seconds'], enum['pypsrp_seconds'], enum['ratio_bound']))
    play = results.get('playbook')
    if play:
        print('| playbook of %d wsman_get tasks | %.2f s (wsman connection, %.0f auth/run) | %.2f s (uri + Basic) | %.2f of the time | %s |'
              % (play['tasks'], play['wsman_connection_seconds'], play['authentications_per_playbook_run'],
                 play['uri_basic_seconds'], play['ratio'], play['target']))
    if results.get('memory'):
        print('\n| enumeration streamed to dest | batch_items | peak RSS growth |')
        print('| --- | --- | --- |')
        for row in results['memory']:
            print('| %d items | %d | %.1f MiB |' % (row['items'], row['batch_items'], row['rss_growth_mib']))
        verdict = results['memory_verdict']
        print('\npeak memory grows with the batch size (x%.1f from the smallest to the largest batch) and not with the '
              'total (x%.2f from the smallest to the largest enumeration): %s'
              % (verdict['growth_by_batch'], verdict['growth_by_total'], 'yes' if verdict['ok'] else 'NO'))


if __name__ == '__main__':
    main()
