#!/usr/bin/env bash
# Copy the collection (what git would ship: tracked + untracked-not-ignored files) into
# BUILD_DIR/ansible_collections/wsman/automation, where ansible-test insists on running (it resolves
# symlinks, so a link will not do), and put the offline get-pip stand-in where ansible-test looks.
# Usage: scripts/collection-tree.sh VENV_BIN_DIR BUILD_DIR   (BUILD_DIR outside any git checkout: see the Makefile)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
BIN="$1"
BUILD="${2:?usage: collection-tree.sh VENV_BIN_DIR BUILD_DIR}"
case "$BUILD/" in
    "$REPO"/*) echo "collection-tree.sh: $BUILD is inside the repository; ansible-test would find no files there" >&2; exit 2 ;;
esac
TREE="$BUILD/ansible_collections/wsman/automation"

# Keep ansible-test's output folder (cached venvs, junit) between runs; replace the rest.
if [ -d "$TREE" ]; then
    find "$TREE" -mindepth 1 -maxdepth 1 ! -name tests -exec rm -rf {} +
    find "$TREE/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} + 2>/dev/null || true
fi
mkdir -p "$TREE"
if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # Files deleted but not yet committed are skipped; the single-quoted $f belongs to the inner sh.
    # shellcheck disable=SC2016
    git -C "$REPO" ls-files -z --cached --others --exclude-standard \
        | (cd "$REPO" && xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' _) \
        | tar -C "$REPO" --null --files-from=- -cf - \
        | tar -C "$TREE" -xf -
else
    tar -C "$REPO" --exclude=./tests/output --exclude=./.git --exclude=./.venv --exclude=./.build \
        -cf - . | tar -C "$TREE" -xf -
fi

# ansible-test --venv bootstraps pip in each venv it creates from get-pip.py on a host this
# machine cannot reach; it first looks in ~/.ansible/test/cache/get_pip_<ver>.py, so a stand-in
# there runs pip from the matching pip wheel (from PyPI).
ATROOT="$("$BIN/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')"
PIPVER="$(sed -n "s/^[[:space:]]*pip='\([0-9.]*\)'.*/\1/p" "$ATROOT/_internal/python_requirements.py" | head -1)"
CACHE="$HOME/.ansible/test/cache"
SHIM="$CACHE/get_pip_${PIPVER//./_}.py"
mkdir -p "$CACHE"
if ! ls "$CACHE"/pip-"$PIPVER"-*.whl >/dev/null 2>&1; then
    "$BIN/python" -m pip download --quiet --disable-pip-version-check --no-deps "pip==$PIPVER" -d "$CACHE"
fi
cat > "$SHIM" <<PYEOF
# Offline stand-in for get-pip.py (written by scripts/collection-tree.sh): run pip from its wheel.
import glob, os, runpy, sys
here = os.path.dirname(os.path.abspath(__file__))
wheel = sorted(glob.glob(os.path.join(here, "pip-$PIPVER-*.whl")))[-1]
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.path.insert(0, wheel)
sys.argv = ["pip", "install", "--upgrade", "--force-reinstall", "--find-links", here] + args
runpy.run_module("pip", run_name="__main__", alter_sys=True)
PYEOF
echo "$TREE"
