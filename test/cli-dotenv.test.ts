import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.js';

// The built CLI (npm test builds first): started from a folder of its own, where tsx cannot be resolved.
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** The real CLI in a process of its own, started from `cwd`, with none of this process's PayBridge variables. */
function paybridge(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PORT|HOST|PAYBRIDGE_.*)$/.test(k)));
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the CLI reads the .env the service reads (#16)', () => {
  it('finds PayBridge on the .env PORT and sends the .env token', async () => {
    const seen: IncomingMessage[] = [];
    const server = createServer((req, res) => {
      seen.push(req);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { items: [], next_cursor: null }, error: null, is_success: true }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const cwd = tempDir();
      const port = (server.address() as AddressInfo).port;
      writeFileSync(join(cwd, '.env'), `PORT=${port}\nPAYBRIDGE_API_TOKEN=token-from-dotenv-0123456789\n`);
      const r = await paybridge(['--json', 'list'], cwd);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(seen.length, 1, 'the CLI reached the port .env names');
      assert.match(seen[0]!.url ?? '', /^\/payment\/transactions/);
      assert.equal(seen[0]!.headers.authorization, 'Bearer token-from-dotenv-0123456789');
    } finally {
      server.close();
    }
  });

  it('refuses a malformed .env with exit 78, naming the line', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.env'), 'PORT=8080\nnot a variable\n');
    const r = await paybridge(['list'], cwd);
    assert.equal(r.code, 78);
    assert.match(r.stderr, /line 2: "not a variable" is not NAME=value/);
  });
});
