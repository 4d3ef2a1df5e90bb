#!/usr/bin/env bash
# The Python package, checked the way a Python user gets it: `npm run package:python` builds the wheel, a fresh venv
# installs it, and the Python cdk8s app in examples/python/ must synthesize exactly the TypeScript app's dist/.
#
# Running the app needs the package's Python dependencies (cdk8s, constructs, cdk8s-plus-33 and the jsii runtime)
# from PyPI. Where no Python index answers, the parts that need none still run (the wheel builds, installs, compiles,
# carries this build's assembly, declares its dependencies, and the app names only what the package exports), and
# the app run is reported as BLOCKED with pip's own error. PYTHON_APP_REQUIRED=1 turns that into a failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# offline build tools: Debian's, installed on demand when we are root on a Debian machine (as CI is)
if ! /usr/bin/python3 -I -c 'import build, setuptools, wheel, ensurepip, venv' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "python-check: installing Debian's python3-build python3-setuptools python3-wheel python3-venv"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-build python3-setuptools \
        python3-wheel python3-venv; } >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; exit 1; }
  else
    echo "python-check: needs /usr/bin/python3 with build, setuptools, wheel and venv (Debian: python3-build python3-setuptools python3-wheel python3-venv)" >&2
    exit 1
  fi
fi
py=/usr/bin/python3

PYTHON=$py bash scripts/package-python.sh >"$work/package.log" 2>&1 || { cat "$work/package.log" >&2; exit 1; }
wheel=$(ls build/python/*.whl)
sdist=$(ls build/python/*.tar.gz)
echo "python-check: built $(basename "$wheel") and $(basename "$sdist")"

# a fresh venv with nothing but our wheel (no index needed)
"$py" -m venv "$work/venv"
vpy="$work/venv/bin/python"
"$vpy" -m pip install --quiet --no-index --no-deps --disable-pip-version-check "$wheel"
site=$("$vpy" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
pkg="$site/cdk8s_istio_ambient"
"$vpy" -m compileall -q "$pkg" >/dev/null

# the wheel carries this build's assembly, and declares the dependencies the app needs
tarball=$(ls "$pkg"/_jsii/*.jsii.tgz)
tar -xzOf "$tarball" package/.jsii | cmp -s - .jsii || { echo "python-check: the wheel's embedded .jsii is not this build's" >&2; exit 1; }
"$vpy" - "$root/package.json" <<'PY'
import importlib.metadata as md, json, re, sys
pkg = json.load(open(sys.argv[1]))
dist = md.distribution("cdk8s-istio-ambient")
assert dist.version == pkg["version"], f"wheel version {dist.version} != package.json {pkg['version']}"
names = {re.split(r"[<>=!~ ;]", r, 1)[0] for r in dist.requires or []}
want = set(pkg["peerDependencies"]) | {"jsii", "publication"}
missing = want - names
assert not missing, f"the wheel does not declare {sorted(missing)} (it declares {sorted(names)})"
print(f"python-check: installed; Requires-Dist: {', '.join(sorted(names))}")
PY

# the example names only classes the generated module defines, with the keyword arguments their __init__ takes
"$vpy" - "$pkg/__init__.py" examples/python/main.py <<'PY'
import ast, sys
module = ast.parse(open(sys.argv[1]).read())
classes = {n.name: n for n in module.body if isinstance(n, ast.ClassDef)}
exported = set()
for n in module.body:
    if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets):
        exported = {e.value for e in n.value.elts}
app = ast.parse(open(sys.argv[2]).read())
imported = [a.name for n in ast.walk(app) if isinstance(n, ast.ImportFrom) and n.module == "cdk8s_istio_ambient" for a in n.names]
problems = [f"{name} is not exported" for name in imported if name not in exported]

def init_kwargs(cls):
    for item in cls.body:
        if isinstance(item, ast.FunctionDef) and item.name == "__init__":
            return {a.arg for a in item.args.args + item.args.kwonlyargs}
    return set()

def members(cls):
    found = set()
    for item in cls.body:
        if isinstance(item, ast.FunctionDef):
            found.add(item.name)
        elif isinstance(item, ast.Assign):
            found |= {t.id for t in item.targets if isinstance(t, ast.Name)}
    for base in cls.bases:  # the members a class inherits from a class of the same module
        if isinstance(base, ast.Name) and base.id in classes:
            found |= members(classes[base.id])
    return found

def external_base(cls):  # a base from another module (cdk8s.Chart, ...): its members are not in this file
    return any(not (isinstance(b, ast.Name) and (b.id in classes or b.id == "object")) or
               (isinstance(b, ast.Name) and b.id in classes and external_base(classes[b.id])) for b in cls.bases)

# variables bound to an instance of a class of the module (`ns = AmbientNamespace(...)`)
instances = {}
for node in ast.walk(app):
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) \
            and node.value.func.id in classes:
        instances.update({t.id: node.value.func.id for t in node.targets if isinstance(t, ast.Name)})

calls = unchecked = 0
for node in ast.walk(app):
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in classes:
        calls += 1
        allowed = init_kwargs(classes[node.func.id])
        problems += [f"{node.func.id}() has no keyword {k.arg}" for k in node.keywords if k.arg not in allowed]
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        owner = node.value.id if node.value.id in classes else instances.get(node.value.id)
        if owner is None:
            continue
        if node.attr in members(classes[owner]):
            calls += 1
        elif external_base(classes[owner]) and node.attr in ("synth", "node"):
            unchecked += 1  # inherited from cdk8s or constructs
        else:
            problems.append(f"{node.value.id}.{node.attr} ({owner}) does not exist")
if problems:
    sys.exit("python-check: examples/python/main.py does not match the generated module: " + "; ".join(problems))
print(f"python-check: examples/python/main.py imports {len(imported)} names and makes {calls} uses the generated module has"
      f" ({unchecked} inherited from cdk8s, not checked)")
PY

# the app itself: its dependencies come from PyPI, as a Python user's do
set +e
"$vpy" -m pip install --disable-pip-version-check --retries 0 --timeout 15 -r examples/python/requirements.txt "$wheel" >"$work/pip.log" 2>&1
pip_code=$?
set -e
if [ "$pip_code" -ne 0 ]; then
  reason=$(grep -E '^ERROR' "$work/pip.log" | head -n 2 | tr '\n' ' ')
  why=$(grep -oE "NewConnectionError[^)]*\)" "$work/pip.log" | head -n 1 || true)
  echo "python-check: BLOCKED: the Python app cannot run here: pip cannot install its dependencies from PyPI (exit $pip_code): ${reason}${why:+($why)}"
  echo "python-check: BLOCKED: cdk8s, constructs and cdk8s-plus-33 can be generated from their npm assemblies, but the jsii Python runtime (package jsii) is published on PyPI only"
  if [ "${PYTHON_APP_REQUIRED:-0}" = 1 ]; then exit 1; fi
  exit 0
fi
out="$work/out"
(cd examples/python && CDK8S_OUTDIR="$out" CDK8S_ISTIO_AMBIENT_QUIET=1 "$vpy" main.py)
if ! diff -r "$out" dist >"$work/diff.txt"; then
  head -n 40 "$work/diff.txt"; echo "python-check: the Python app's output differs from dist/" >&2; exit 1
fi
echo "python-check: the Python app wrote $(find "$out" -type f | wc -l) files, identical to dist/"
