// The arccom helper process: loads Arcus2's arccom library through koffi and runs one operation per
// request line, answering one JSON line each. It is plain JavaScript, not TypeScript, because it runs
// on whatever Node can load the library — on a Windows till a 32-bit Node (arccom.dll is 32-bit),
// started with no loader or build step — and it knows nothing of PayBridge: keys, op codes and
// values all come from the request, and values go back as bytes (base64) for PayBridge to decode
// in the site's charset. Nothing is written to stderr but failures to load, so no card data can
// leave through it.
//
// argv[2]: JSON { library, convention: 'cdecl' | 'stdcall' }.
// In:  { id, op, set: { key: value }, get: [key] }
// Out: { ready: true, arch } once loaded; then { id, ret, got: { key: base64 | null } } or { id, error }.
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const require = createRequire(import.meta.url);
const { library, convention } = JSON.parse(process.argv[2] ?? '{}');

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

let api;
let handle;
try {
  const koffi = require('koffi');
  const lib = koffi.load(library);
  // The calling convention of the real DLL's exports is not published; a 32-bit Windows DLL may use
  // either, and koffi ignores the keyword where the platform has one convention (x64, Linux).
  const cc = convention === 'stdcall' ? '__stdcall ' : '';
  api = {
    create: lib.func(`void *${cc}CreateITPos()`),
    set: lib.func(`int ${cc}ITPosSet(void *h, const char *key, const char *val, int len)`),
    get: lib.func(`int ${cc}ITPosGet(void *h, const char *key, void *buf, int len)`),
    run: lib.func(`int ${cc}ITPosRun(void *h, int op)`),
    clear: lib.func(`int ${cc}ITPosClear(void *h)`),
    destroy: lib.func(`void ${cc}DeleteITPos(void *h)`),
  };
  handle = api.create();
  if (!handle) throw new Error('CreateITPos returned no handle');
} catch (err) {
  process.stderr.write(`cannot load ${library}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}

function read(key) {
  // Asked with no buffer first for the value's length, as public integrations do; a negative
  // length is taken as "the library has no such value".
  const length = api.get(handle, key, null, -1);
  if (typeof length !== 'number' || length < 0) return null;
  const buf = Buffer.alloc(length + 1);
  const got = api.get(handle, key, buf, buf.length);
  if (got < 0) return null;
  const end = buf.indexOf(0);
  return buf.subarray(0, end < 0 ? length : Math.min(end, length)).toString('base64');
}

send({ ready: true, arch: process.arch, node: process.version });

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  let id = null;
  try {
    const request = JSON.parse(line);
    id = request.id;
    api.clear(handle);
    for (const [key, value] of Object.entries(request.set ?? {})) api.set(handle, key, String(value), -1);
    // Blocks this process until the pinpad's dialogue ends; PayBridge sends one request at a time.
    const ret = api.run(handle, request.op);
    const got = {};
    for (const key of request.get ?? []) got[key] = read(key);
    send({ id, ret, got });
  } catch (err) {
    send({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
lines.on('close', () => {
  api.destroy(handle);
  process.exit(0);
});
