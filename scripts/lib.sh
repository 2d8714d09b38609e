# Shared by scripts/run and scripts/test (sourced, not executed).
# ensure_venv [EXTRA]: create .venv with Python 3.11 if missing and install the
# project pinned by constraints.txt; a stamp keyed on the hash of pyproject.toml
# and constraints.txt skips pip when nothing changed.

ensure_venv() {
    local extra="${1:-}"
    local python="${PYTHON:-}"
    if [ -z "$python" ]; then
        python="$(command -v python3.11 || command -v python3 || true)"
    fi
    if [ ! -x .venv/bin/python ]; then
        [ -n "$python" ] || { echo "error: python3.11 not found" >&2; return 1; }
        echo "» creating .venv with $python"
        "$python" -m venv .venv
    fi
    local hash stamp=.venv/.petitions-installed
    hash="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
    # A stamp made with the test extra also satisfies a plain install.
    if [ -f "$stamp" ] && { grep -qx "$hash test" "$stamp" || grep -qx "$hash $extra" "$stamp"; }; then
        return 0
    fi
    local target="."
    [ -n "$extra" ] && target=".[$extra]"
    echo "» installing $target into .venv (pinned by constraints.txt)"
    # pip's output is kept in a log and shown only when the install fails.
    if ! .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e "$target" \
            >.venv/pip-install.log 2>&1; then
        cat .venv/pip-install.log >&2
        echo "error: pip install failed (log above, also in .venv/pip-install.log)" >&2
        return 1
    fi
    echo "$hash $extra" > "$stamp"
}

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() {
    .venv/bin/python - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

# wait_port HOST PORT SECONDS
wait_port() {
    local i
    for ((i = 0; i < $3; i++)); do
        port_open "$1" "$2" && return 0
        sleep 1
    done
    return 1
}

# ensure_keys: export SECRET_KEY, PIN_KEY, IDENTITY_KEYS and IDENTITY_INDEX_KEY when the environment
# does not set them, from files in $VAR_DIR (default ./var) made once with random bytes, mode 600.
# With DEBUG off the engine refuses development keys (config/checks.py, cases/checks.py).
ensure_keys() {
    local dir="${VAR_DIR:-var}" name file
    mkdir -p "$dir"
    for name in SECRET_KEY PIN_KEY IDENTITY_KEYS IDENTITY_INDEX_KEY; do
        [ -n "${!name:-}" ] && continue
        file="$dir/$(echo "$name" | tr '[:upper:]' '[:lower:]')"
        if [ ! -s "$file" ]; then
            if [ "$name" = IDENTITY_KEYS ]; then  # a Fernet key: 32 random bytes, URL-safe base64
                (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '\n' | tr '+/' '-_' > "$file")
            else
                (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_' > "$file")
            fi
        fi
        chmod 600 "$file"
        export "$name=$(cat "$file")"
    done
}
