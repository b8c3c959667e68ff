"""Print the demo's summary: what each operation did on each host, and the lab endpoint's counters.

    python demo/summary.py DEMO_OUTPUT_DIR LAB_URL

Reads DEMO_OUTPUT_DIR/summary-<host>.json (written by demo/playbook.yml) and the lab's counters
from LAB_URL's /lab/stats (loopback only).
"""
import glob
import json
import os
import sys
import urllib.request


def _names(values, limit=6):
    values = list(values)
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (", ... (%d more)" % (len(values) - limit) if len(values) > limit else "")


def _host(data):
    lines = [data["host"]]
    ident = data["identify"]
    lines.append("  Identify        %s, %s" % (ident.get("product_vendor"), ident.get("product_version")))
    svc = data["winrm_service"]
    lines.append("  Get             Win32_Service %s: %s, start mode %s" % (svc.get("Name"), svc.get("State"), svc.get("StartMode")))
    wql = data["wql"]
    lines.append("  Enumerate (WQL) %s automatic service(s) not running: %s" % (wql["count"], _names(wql["names"]) or "none"))
    inv = data["invoke"]
    if inv["service"]:
        lines.append("  Invoke          StartService on %s -> ReturnValue %s, now %s" % (inv["service"], inv["return_value"], inv["state_after"]))
    ins = data["instance"]
    lines.append("  wsman_instance  winrm/config/client TrustedHosts: check mode changed=%s (host still %r), applied changed=%s, "
                 "again changed=%s" % (ins["check_mode_changed"], ins["value_after_check_mode"], ins["apply_changed"], ins["second_run_changed"]))
    report = data["inventory"]
    lines.append("  inventory role  %s: %s services (%s running), %s updates, %s logical disks"
                 % (report["os"].strip(), report["services"], report["services_running"], report["updates"], report["disks"]))
    html = os.path.relpath(report["report_html"], os.getcwd())
    lines.append("                  report %s (+ %s)" % (html, os.path.basename(report["report_json"])))
    audit = data["audit"]
    findings = _names(audit["findings_before"]) or "none"
    would_change = _names(audit["would_change"]) or "nothing"
    lines.append("  winrm_audit     findings: %s; check mode would change: %s" % (findings, would_change))
    lines.append("                  remediated: %s; now %s of %s checks pass%s" % (
        _names(audit["changed"]) or "nothing", audit["passed_after"], audit["checked"],
        "" if not audit["findings_after"] else " (left: %s)" % _names(audit["findings_after"])))
    return lines


def main():
    out, lab_url = sys.argv[1], sys.argv[2]
    files = sorted(glob.glob(os.path.join(out, "summary-*.json")))
    if not files:
        print("no summary was written: the playbook did not finish (see %s)" % os.path.join(out, "playbook.log"), file=sys.stderr)
        return 1
    print()
    print("wsman.automation demo against the lab endpoint %s (NTLM with message encryption)" % lab_url)
    print()
    for path in files:
        with open(path, encoding="utf-8") as handle:
            print("\n".join(_host(json.load(handle))))
        print()
    stats_url = lab_url.rsplit("/", 1)[0] + "/lab/stats"
    with urllib.request.urlopen(stats_url, timeout=10) as response:  # loopback: the lab started by run-demo.sh
        stats = json.load(response)
    print("Lab counters: %s requests, %s authentication(s) on %s TCP connection(s), %s faults, enumeration contexts: "
          "%s released early, %s open" % (stats.get("requests"), stats.get("authentications"), stats.get("connections"),
                                          stats.get("faults"), stats.get("enumeration_contexts_released"),
                                          stats.get("enumeration_contexts_open")))
    print("Open the report: file://%s" % os.path.join(out, "report", "index.html"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
