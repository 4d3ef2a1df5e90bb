#!/usr/bin/env bash
# Builds the jsii-pacmak Python package (wheel and sdist) into build/python/, offline.
#
# jsii-pacmak's own Python build pip-installs its build tools (setuptools, build, twine) from PyPI into a venv; this
# script asks pacmak for the generated sources only (--code-only) and builds them with a `build` and setuptools that
# are already installed (Debian: python3-build python3-setuptools python3-wheel), so it needs no Python index.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# the first python3 that can build a wheel offline: $PYTHON, then Debian's, then the one on PATH (-I: our build/
# folder must not pass for the `build` module)
py=""
for candidate in ${PYTHON:-} /usr/bin/python3 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -I -c 'import build, setuptools, wheel' >/dev/null 2>&1; then
    py=$candidate; break
  fi
done
if [ -z "$py" ]; then
  echo "package:python: no python3 with the modules build, setuptools and wheel;" \
    "install them (Debian: apt-get install python3-build python3-setuptools python3-wheel python3-venv) or set PYTHON" >&2
  exit 1
fi

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
npm run --silent build
rm -rf build/python build/python-src
# pacmak runs `npm pack` to embed the package in the wheel; the build above is fresh, so skip prepack's second one
npm_config_ignore_scripts=true npx jsii-pacmak --target python --code-only --no-npmignore --outdir build/python-src
"$py" -I -m build --no-isolation --skip-dependency-check --outdir build/python build/python-src/python >build/python-build.log 2>&1 || {
  cat build/python-build.log >&2; echo "package:python: the wheel build failed (log above)" >&2; exit 1; }
ls build/python
