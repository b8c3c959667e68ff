#!/usr/bin/env bash
# Build the collection's HTML guide with antsibull-docs' Sphinx site, offline and deterministically.
#
#   scripts/docs-build.sh COLLECTIONS_ROOT OUT_DIR [JUNIT_FILE]
#
# COLLECTIONS_ROOT holds ansible_collections/wsman/automation (the tree `make tree` copies).
# The site is generated into OUT_DIR/sphinx (antsibull-docs sphinx-init), the RST into
# OUT_DIR/sphinx/rst, and the HTML into OUT_DIR/html.  Nothing is fetched from the network:
# intersphinx is switched off and the few labels of the Ansible documentation that antsibull-docs'
# generated pages point to are linked to their public pages instead (see conf-offline.py below).
# Sphinx runs with -W (warnings are errors) and nitpicky on, so a broken reference fails the build.
# With JUNIT_FILE, scripts/docs-check.py checks the result and writes JUnit test cases.
set -euo pipefail
ROOT="$(cd "$1" && pwd -P)"
mkdir -p "$2"
OUT="$(cd "$2" && pwd -P)"
JUNIT="${3:-}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
SITE="$OUT/sphinx"

export ANSIBLE_COLLECTIONS_PATH="$ROOT"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1767225600}"   # 2026-01-01: same bytes every build
export ANSIBLE_NOCOLOR=1

rm -rf "$SITE" "$OUT/html" "$OUT/doctrees"
mkdir -p "$SITE"
antsibull-docs sphinx-init --use-current --fail-on-error --no-add-antsibull-docs-version \
    --project 'wsman.automation' --copyright 'wsman.automation developers' \
    --title 'wsman.automation — WS-Management for Ansible' --html-short-title 'wsman.automation' \
    --dest-dir "$SITE" wsman.automation >/dev/null

# The site's start page: straight to the collection (its guide pages, modules and roles).
cat > "$SITE/rst/index.rst" <<'RSTEOF'
.. _docsite_root_index:

wsman.automation
================

The Windows Remote Management scripting API (``WSMan.CreateSession``, ``Session``, ``Enumerator``,
``ResourceLocator``, ``ConnectionOptions``) for Ansible on Linux controllers.

.. toctree::
   :maxdepth: 2
   :caption: Collection:

   collections/wsman/automation/index

.. toctree::
   :maxdepth: 1
   :caption: Plugin indexes:
   :glob:

   collections/index_*

.. toctree::
   :maxdepth: 1
   :caption: Reference indexes:

   collections/environment_variables
RSTEOF

cat >> "$SITE/conf.py" <<'PYEOF'

# ---- conf-offline.py (appended by scripts/docs-build.sh) ------------------------------------
# The build runs offline: no intersphinx inventory is downloaded.  antsibull-docs' generated
# pages refer to a few labels of the Ansible documentation; link those to their public pages
# and leave every other unresolved reference a (fatal, -W) warning.
intersphinx_mapping = {}
_ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/devel/'
_ANSIBLE_LABELS = {
    'ansible_configuration_settings': 'reference_appendices/config.html',
    'ansible_collections.ansible.builtin.docsite.collections_index': 'collections/index.html',
    'collections_index': 'collections/index.html',
    'list_of_collections': 'collections/index.html',
    'all_modules_and_plugins': 'collections/all_plugins.html',
    'module_defaults': 'playbook_guide/playbooks_module_defaults.html',
    'playbooks_delegation': 'playbook_guide/playbooks_delegation.html',
    'playbooks_strategies': 'playbook_guide/playbooks_strategies.html',
    'check_mode_dry': 'playbook_guide/playbooks_checkmode.html',
    'action_plugins': 'plugins/action.html',
    'common_return_values': 'reference_appendices/common_return_values.html',
}


def _ansible_docs_reference(app, env, node, contnode):
    from docutils import nodes
    target = node.get('reftarget', '')
    if node.get('reftype') == 'envvar' and target.startswith('ANSIBLE_'):
        # ansible-core's own configuration variables (for example ANSIBLE_PERSISTENT_COMMAND_TIMEOUT)
        page = 'reference_appendices/config.html#envvar-' + target
    else:
        page = _ANSIBLE_LABELS.get(target)
    if page is None and target.startswith('ansible_collections.ansible.builtin.') and target.endswith('_module'):
        page = 'collections/ansible/builtin/%s_module.html' % target.split('.')[-1][:-len('_module')]
    if page is None:
        return None
    ref = nodes.reference('', '', internal=False, refuri=_ANSIBLE_DOCS + page)
    ref.append(contnode.deepcopy() if contnode is not None else nodes.Text(target))
    return ref


def setup(app):
    app.connect('missing-reference', _ansible_docs_reference)
PYEOF

chmod og-w "$SITE/rst"
(cd "$SITE" && antsibull-docs --config-file antsibull-docs.cfg collection --cleanup everything \
    --fail-on-error --use-current --dest-dir rst wsman.automation >/dev/null)
sphinx-build -q -b html -W --keep-going -c "$SITE" -d "$OUT/doctrees" "$SITE/rst" "$OUT/html"

if [ -n "$JUNIT" ]; then
    python "$HERE/docs-check.py" "$ROOT/ansible_collections/wsman/automation" "$OUT/html" "$JUNIT"
fi
echo "HTML guide: $OUT/html/index.html"
