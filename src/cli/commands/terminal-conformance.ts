import { runConformance, type ScenarioResult } from '../../terminals/bridge/conformance.js';
import { describeEndpoint, type BridgeEndpoint } from '../../terminals/bridge/transport.js';
import { CliExit, EXIT } from '../exit-codes.js';
import { table } from '../output.js';

export interface ConformanceCliOptions {
  tcp?: string;
  serial?: string;
  baudRate: string;
  connectTimeoutMs: string;
  answerTimeoutMs: string;
  pollMs: string;
}

function positive(value: string, name: string): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new CliExit(EXIT.USAGE, `${name} must be a positive whole number, not "${value}"`);
  return Number(value);
}

export function parseEndpoint(o: Pick<ConformanceCliOptions, 'tcp' | 'serial' | 'baudRate'>): BridgeEndpoint {
  if ((o.tcp === undefined) === (o.serial === undefined)) throw new CliExit(EXIT.USAGE, 'name the adapter with exactly one of --tcp HOST:PORT or --serial PATH');
  if (o.serial !== undefined) return { transport: 'serial', path: o.serial, baudRate: positive(o.baudRate, '--baud-rate') };
  // The port is after the last colon, so an IPv6 address in brackets keeps its own colons.
  const match = /^\[?(.+?)\]?:(\d+)$/.exec(o.tcp!);
  if (!match || Number(match[2]) > 65_535) throw new CliExit(EXIT.USAGE, `--tcp wants HOST:PORT, not "${o.tcp!}"`);
  return { transport: 'tcp', host: match[1]!, port: Number(match[2]) };
}

function print(results: readonly ScenarioResult[]): string {
  const rows = [['scenario', 'result', 'what happened'], ...results.map((r) => [r.name, r.ok ? 'pass' : 'FAIL', r.detail])];
  const failures = results.filter((r) => !r.ok);
  const lines = [table(rows), ''];
  if (failures.length === 0) lines.push(`All ${results.length} scenarios passed: PayBridge can rely on this adapter as docs/bridge-protocol.md describes.`);
  else {
    lines.push(`${failures.length} of ${results.length} scenarios failed. What that means for a shop:`);
    for (const f of failures) lines.push(`  - ${f.name}: ${f.meaning}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `paybridge terminal conformance`: drives an adapter through the bridge protocol's scenarios and
 * prints what passed; exit 1 when anything failed.
 */
export async function terminalConformance(o: ConformanceCliOptions, json: boolean): Promise<number> {
  const endpoint = parseEndpoint(o);
  const answerTimeoutMs = positive(o.answerTimeoutMs, '--answer-timeout-ms');
  if (!json) {
    process.stderr.write(
      `Conformance of the adapter at ${describeEndpoint(endpoint)}. It must be in test mode (docs/bridge-protocol.md): the kit closes its shift, pays, refunds and declines.\n`,
    );
  }
  const results = await runConformance({
    endpoint,
    connectTimeoutMs: positive(o.connectTimeoutMs, '--connect-timeout-ms'),
    answerTimeoutMs,
    pollMs: positive(o.pollMs, '--poll-ms'),
    onScenario: json ? undefined : (name) => process.stderr.write(`… ${name}\n`),
  });
  process.stdout.write(json ? `${JSON.stringify({ target: describeEndpoint(endpoint), passed: results.every((r) => r.ok), scenarios: results })}\n` : print(results));
  return results.every((r) => r.ok) ? EXIT.OK : EXIT.REFUSED;
}
