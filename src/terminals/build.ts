import type { TerminalConfig } from '../config/schema.js';
import { BridgeDriver } from './bridge/bridge-driver.js';
import type { BridgeEndpoint } from './bridge/transport.js';
import { ArccomDriver } from './arccom/arccom-driver.js';
import { Arcus2Driver, type Arcus2Options } from './humo/arcus2-driver.js';
import { arcus2Files } from './humo/cashreg.js';
import { assertReadOnlyCodes, describeLines, readOpsIni, REQUIRED_OPS, resolveOps, type OpsIniLine } from './humo/ops-ini.js';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { TerminalDriver } from '../payments/ports/terminal.js';

/**
 * The arccom driver takes its codes from the configuration, copied by hand from the site's ops.ini:
 * where that file is found (beside the library's working folder, as Arcus2 installs lay it out),
 * its reading operations are checked against it as the command-line driver's are.
 */
function checkArccomCodes(c: NonNullable<TerminalConfig['arccom']>, setting: string, log?: Pick<Logger, 'info'>): void {
  const libraryDir = dirname(c.library);
  const candidates = [c.work_dir ?? libraryDir, dirname(libraryDir)].map((dir) => join(dir, 'INI', 'ops.ini'));
  const file = candidates.find((f) => existsSync(f));
  if (!file) {
    log?.info({ looked_in: candidates }, 'arccom: no ops.ini found beside the library; its op codes are taken as configured, unchecked');
    return;
  }
  const reading = { [`${setting}.ops.print_last`]: c.ops.print_last, [`${setting}.ops.print_last_report`]: c.ops.print_last_report, [`${setting}.ops.x_report`]: c.ops.x_report };
  assertReadOnlyCodes(readOpsIni(file), reading, file);
}

/** Builds the driver a terminal's configuration names; problems name the configuration key. */
export function buildTerminalDriver(t: TerminalConfig, key: string, log?: Pick<Logger, 'info' | 'debug'>): TerminalDriver {
  if (t.driver === 'arcus2') {
    const a = t.arcus2!;
    const setting = `${key}.arcus2`;
    const files = arcus2Files(a, setting);
    let lines: OpsIniLine[] = [];
    try {
      lines = readOpsIni(files.opsIni);
    } catch (err) {
      // Without the file every operation PayBridge needs must be given by code (a pin by class needs the file).
      const unset = REQUIRED_OPS.filter((op) => a.ops[op] === undefined);
      if (unset.length) throw new Error(`${setting}.ops_ini: cannot read ${files.opsIni} (${files.sources.ops_ini}): ${(err as Error).message}; set ${unset.map((op) => `${setting}.ops.${op}`).join(', ')} instead`);
    }
    const { codes, how } = resolveOps(lines, { byCode: a.ops, byClass: a.ops_by_class }, files.opsIni, setting);
    // Some 2 KB: for whoever looks into a pinpad's set-up (log.level debug), not printed at every start.
    log?.debug({ terminal: t.id, ops_ini: files.opsIni, lines: describeLines(lines), ops: how, files: files.sources }, 'Arcus2 operations and files');
    return new Arcus2Driver({
      command: a.command,
      args: a.args,
      workDir: a.work_dir,
      cheqFile: files.cheqFile,
      rcFile: files.rcFile,
      charset: files.charset,
      rcRemap: files.rcRemap,
      ops: codes as Arcus2Options['ops'],
      cancelArgs: a.cancel_args,
      refundArgs: a.refund_args,
      timeoutMs: a.timeout_ms,
    });
  }
  if (t.driver === 'arccom') {
    const c = t.arccom!;
    checkArccomCodes(c, `${key}.arccom`, log);
    return new ArccomDriver({
      library: c.library,
      node: c.node ?? process.execPath,
      ...(c.helper ? { helper: c.helper } : {}),
      ...(c.work_dir ? { workDir: c.work_dir } : {}),
      convention: c.calling_convention,
      ops: c.ops,
      keys: c.keys,
      charset: c.charset,
      currency: '860',
      operationMs: c.operation_timeout_ms,
      startMs: c.start_timeout_ms,
      abandonMs: c.abandon_ms,
    });
  }
  const b = t.bridge!;
  const endpoint: BridgeEndpoint = b.transport === 'tcp' ? { transport: 'tcp', host: b.host!, port: b.port! } : { transport: 'serial', path: b.path!, baudRate: b.baud_rate };
  return new BridgeDriver({ endpoint, connectTimeoutMs: b.connect_timeout_ms, answerTimeoutMs: b.answer_timeout_ms });
}
