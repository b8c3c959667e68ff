"""Check the HTML guide that scripts/docs-build.sh produced and write the result as JUnit test cases.

    python scripts/docs-check.py COLLECTION_DIR HTML_DIR JUNIT_FILE

Each check is one test case: every page that docs/docsite/extra-docs.yml lists is rendered, every
module and role has its page, the architecture diagram is inline SVG, and the site loads nothing
from the network (it must read offline).  Exit status 1 when a check fails.
"""
import glob
import importlib.util
import os
import re
import sys
import xml.etree.ElementTree as ET

import yaml

collection, html, junit = sys.argv[1:4]
site = os.path.join(html, "collections", "wsman", "automation")
cases = []


def check(name, ok, detail=""):
    cases.append((name, ok, detail))


def page(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


with open(os.path.join(collection, "docs", "docsite", "extra-docs.yml"), encoding="utf-8") as handle:
    index = yaml.safe_load(handle)
refs = [entry if isinstance(entry, str) else entry["ref"]
        for section in index.get("sections", []) for entry in section.get("toctree", [])]
check("extra-docs.yml lists guide pages", bool(refs), "no toctree entries")
for ref in refs:
    path = os.path.join(site, "docsite", ref + ".html")
    exists = os.path.isfile(path)
    check("guide page %s rendered" % ref, exists, "missing %s" % path)
    if exists:
        text = page(path)
        check("guide page %s has no unresolved markup" % ref,
              "problematic" not in text and "System Message" not in text,
              "docutils left a problematic/system-message node in %s" % path)

modules = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(collection, "plugins", "modules", "*.py"))
                 if not os.path.basename(p).startswith("_"))
for name in modules:
    path = os.path.join(site, name + "_module.html")
    check("module page %s rendered" % name, os.path.isfile(path), "missing %s" % path)

roles = sorted(os.path.basename(os.path.dirname(os.path.dirname(p)))
               for p in glob.glob(os.path.join(collection, "roles", "*", "meta", "argument_specs.yml")))
for name in roles:
    path = os.path.join(site, name + "_role.html")
    ok = os.path.isfile(path)
    check("role page %s rendered from meta/argument_specs.yml" % name, ok, "missing %s" % path)

diagrams = [p for p in glob.glob(os.path.join(site, "docsite", "*.html")) if "<svg" in page(p)]
check("architecture diagram rendered as inline SVG", bool(diagrams), "no guide page contains <svg")

remote = re.compile(r"""<(?:script|link|img)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""", re.I)
fetching = [p for p in glob.glob(os.path.join(html, "**", "*.html"), recursive=True) if remote.search(page(p))]
check("site loads no script, style sheet or image from the network", not fetching,
      "remote assets in: %s" % ", ".join(sorted(fetching)[:5]))

# Every Windows error code the guide pages write must be right: hex and decimal agree, and a code
# written next to an error name is that name's code in the library's table (plugins/module_utils/_errors.py).
spec = importlib.util.spec_from_file_location("wsman_errors", os.path.join(collection, "plugins", "module_utils", "_errors.py"))
errors = importlib.util.module_from_spec(spec)
spec.loader.exec_module(errors)
pair = re.compile(r"(?:0x([0-9A-Fa-f]{8})\s*\((\d{10})\))|(?:(\d{10})\s*/\s*0x([0-9A-Fa-f]{8}))")
named = re.compile(r"``((?:ERROR_WSMAN_|E_)[A-Z0-9_]+)``[^`\n]*?0x([0-9A-Fa-f]{8})")
mismatches = []
for path in sorted(glob.glob(os.path.join(collection, "docs", "docsite", "rst", "*.rst"))):
    text = page(path)
    for match in pair.finditer(text):
        hex_text, decimal = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        if int(hex_text, 16) != int(decimal):
            mismatches.append("%s: 0x%s is not %s" % (os.path.basename(path), hex_text, decimal))
    for match in named.finditer(text):
        code = errors.ERROR_CODES.get(match.group(1))
        if code is not None and code != int(match.group(2), 16):
            mismatches.append("%s: %s is 0x%08X, the page says 0x%s" % (os.path.basename(path), match.group(1), code, match.group(2)))
check("error codes in the guide agree with the library's table", not mismatches, "; ".join(mismatches[:10]))

suite = ET.Element("testsuite", name="docs-build", tests=str(len(cases)),
                   failures=str(sum(1 for case in cases if not case[1])))
for name, ok, detail in cases:
    case = ET.SubElement(suite, "testcase", classname="docs", name=name)
    if not ok:
        ET.SubElement(case, "failure", message=detail)
os.makedirs(os.path.dirname(os.path.abspath(junit)), exist_ok=True)
ET.ElementTree(suite).write(junit, encoding="utf-8", xml_declaration=True)
for name, ok, detail in cases:
    if not ok:
        print("docs check FAILED: %s: %s" % (name, detail), file=sys.stderr)
print("docs-check: %d passed, %d failed" % (sum(1 for c in cases if c[1]), sum(1 for c in cases if not c[1])))
sys.exit(0 if all(case[1] for case in cases) else 1)
