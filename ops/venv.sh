# Sourced by the ops/ scripts (not run): find the virtual environment benchcrawl lives in
# and put it first on PATH. It is the active one when there is one ($VIRTUAL_ENV, or
# $PYTHON / python3 already running inside a venv), else .venv in the repository, which
# ops/install.sh makes. Sets VENV, PYTHON (the venv's python) and exports both and PATH.
# Never a system Python: Debian's is externally managed (PEP 668) and stays untouched.
_benchcrawl_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then
    VENV=$VIRTUAL_ENV
elif _active=$("${PYTHON:-python3}" -c \
        'import sys; print(sys.prefix if sys.prefix != sys.base_prefix else "")' 2>/dev/null) \
        && [ -n "$_active" ] && [ -x "$_active/bin/python" ]; then
    VENV=$_active
else
    VENV=$_benchcrawl_root/.venv
fi
PYTHON=$VENV/bin/python
PATH=$VENV/bin:$PATH
export VENV PYTHON PATH
unset _benchcrawl_root _active
