# Sourced by postgres.sh and pgbouncer.sh: neither PostgreSQL nor PgBouncer runs as root, so as root
# their files belong to the `postgres` user Debian's postgresql package made, and they run as it.
# Defines `owner` and `as_owner`, and makes "$dir" theirs (mode 700).
if [[ $(id -u) -eq 0 ]]; then
  owner=postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi
mkdir -p "$dir"
chown "$owner" "$dir"
chmod 700 "$dir"
