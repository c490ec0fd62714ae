# Sourced by scripts/*-env.sh: make_env DIR REQUIREMENT... creates the virtualenv DIR with those requirements,
# once; a stamp file inside it records them, so a changed list rebuilds the env and an unchanged one is skipped.
make_env() {
  local dir=$1 stamp=$1/.herald-requirements
  shift
  local wanted="$*"
  if [ -x "$dir/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return
  fi
  echo "creating $dir"
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
  echo "$wanted" > "$stamp"
}
