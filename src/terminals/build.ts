import { isAbsolute, join } from 'node:path';
import type { TerminalConfig } from '../config/schema.js';
import { BridgeDriver } from './bridge/bridge-driver.js';
import type { BridgeEndpoint } from './bridge/transport.js';
import { Arcus2Driver } from './humo/arcus2-driver.js';
import { readOpsIni, resolveOpCodes, type Arcus2Op } from './humo/ops-ini.js';
import type { TerminalDriver } from '../payments/ports/terminal.js';

/** Builds the driver a terminal's configuration names; problems name the configuration key. */
export function buildTerminalDriver(t: TerminalConfig, key: string): TerminalDriver {
  if (t.driver === 'arcus2') {
    const a = t.arcus2!;
    const opsIni = isAbsolute(a.ops_ini) ? a.ops_ini : join(a.work_dir, a.ops_ini);
    let lines: ReturnType<typeof readOpsIni>;
    try {
      lines = readOpsIni(opsIni);
    } catch (err) {
      if (Object.keys(a.ops).length < 5) throw new Error(`${key}.arcus2.ops_ini: cannot read ${opsIni} (${(err as Error).message}); set every code in ${key}.arcus2.ops instead`);
      lines = [];
    }
    const { codes, missing } = resolveOpCodes(lines, a.ops);
    if (missing.length) throw new Error(`${key}.arcus2.ops: ${opsIni} names no operation for ${missing.join(', ')}; set their codes in the configuration`);
    return new Arcus2Driver({
      command: a.command,
      args: a.args,
      workDir: a.work_dir,
      cheqFile: a.cheq_file,
      rcFile: a.rc_file,
      ops: codes as Record<Arcus2Op, number>,
      cancelArgs: a.cancel_args,
      refundArgs: a.refund_args,
      timeoutMs: a.timeout_ms,
    });
  }
  const b = t.bridge!;
  const endpoint: BridgeEndpoint = b.transport === 'tcp' ? { transport: 'tcp', host: b.host!, port: b.port! } : { transport: 'serial', path: b.path!, baudRate: b.baud_rate };
  return new BridgeDriver({ endpoint, connectTimeoutMs: b.connect_timeout_ms, answerTimeoutMs: b.answer_timeout_ms });
}
