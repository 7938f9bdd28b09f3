import { access, constants } from 'node:fs/promises';
import { ConfigError, loadConfig } from '../../config/load.js';
import { PAYME_URLS, type Config, type TerminalConfig } from '../../config/schema.js';
import { ClickClient, ClickHttpError } from '../../providers/click/client.js';
import { clickRefusal } from '../../providers/click/click-pass.js';
import { clockExplanation, describeClockOffset, UNPUBLISHED_WINDOW_WARN_S } from '../../providers/clock.js';
import { PaymeClient, PaymeRpcError } from '../../providers/payme/client.js';
import { UzumClient } from '../../providers/uzum/client.js';
import { UZUM_AUTH_WINDOW_S } from '../../providers/uzum/fast-pay.js';
import { exchangeText, integer } from '../../providers/uzum/outcomes.js';
import { openBridgeLink, describeEndpoint } from '../../terminals/bridge/transport.js';
import { ArccomDriver } from '../../terminals/arccom/arccom-driver.js';
import { buildTerminalDriver } from '../../terminals/build.js';
import { EXIT } from '../exit-codes.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** A provider's clock minus this computer's, read from the check's own answer. */
  clock?: { provider: string; offsetMs: number | undefined; windowS: number | undefined; signed: boolean };
}

/**
 * The clock line of a provider check. CLICK's and Uzum's signatures carry the time they were made
 * and are refused when too far off their clock (Uzum: 50 s, its contract; CLICK: not published, so
 * PayBridge warns above 30 s). Payme's X-Auth carries no time: shown, never warned about.
 */
function clockLine(name: string, clock: NonNullable<Check['clock']>): string {
  if (clock.offsetMs === undefined) return `      ${name} clock: not measured (the answer carried no Date header)\n`;
  const measured = `${describeClockOffset(clock.provider, clock.offsetMs)} (from the Date header of its answer, to about a second)`;
  if (!clock.signed) return `OK    ${name} clock: ${measured}; ${clock.provider}’s X-Auth carries no time, so it does not matter\n`;
  const limit = clock.windowS ?? UNPUBLISHED_WINDOW_WARN_S;
  const window = clock.windowS === undefined ? `does not publish how far off it accepts; warned above ${limit} s` : `refuses a signature more than ${limit} s off`;
  return Math.abs(clock.offsetMs) / 1000 > limit
    ? `WARN  ${name} clock: ${measured}; ${clock.provider} ${window}: set this computer’s clock right (NTP)\n`
    : `OK    ${name} clock: ${measured}; ${clock.provider} ${window}\n`;
}

const reason = (err: unknown) => (err as Error).message;

/** An authenticated request that changes nothing: the status of a payment that does not exist. */
async function checkClick(config: NonNullable<Config['click']>): Promise<Check> {
  const client = new ClickClient(
    { baseUrl: config.base_url, serviceId: config.service_id, merchantUserId: config.merchant_user_id, secretKey: config.secret_key, cashboxCode: config.cashbox_code },
    { connectMs: config.timeouts.connect_ms, responseMs: config.timeouts.response_ms },
  );
  const name = `click ${config.base_url}`;
  const clock = () => ({ provider: 'Click', offsetMs: client.lastClockOffsetMs, windowS: undefined, signed: true });
  try {
    const reply = await client.status('0');
    return { name, ok: true, detail: `reached, credentials not refused (a status query answered error_code ${String(reply.error_code)})`, clock: clock() };
  } catch (err) {
    if (err instanceof ClickHttpError && (err.statusCode === 401 || err.statusCode === 403)) return { name, ok: false, detail: clickRefusal(err.statusCode, err.clockOffsetMs), clock: clock() };
    return { name, ok: false, detail: reason(err), clock: clock() };
  } finally {
    await client.close();
  }
}

type UzumReading = 'utc' | 'utc+5';

/** One payment/status of no payment, signed with one reading of the timestamp, as Uzum answered it. */
interface UzumProbe {
  reading: UzumReading;
  /** accepted: any answer past the Authorization check (404 "not found" is the expected one); refused: 401 or 403; else: no verdict. */
  verdict: 'accepted' | 'refused_auth' | 'refused_time' | 'other';
  detail: string;
  offsetMs: number | undefined;
}

async function probeUzum(config: NonNullable<Config['uzum']>, reading: UzumReading): Promise<UzumProbe> {
  const client = new UzumClient(
    { baseUrl: config.base_url, serviceId: config.service_id, merchantServiceUserId: config.merchant_service_user_id, secretKey: config.secret_key, cashboxCode: config.cashbox_code, timestamp: reading },
    { connectMs: config.timeouts.connect_ms, responseMs: config.timeouts.response_ms },
  );
  try {
    const x = await client.status('00000000-0000-0000-0000-000000000000');
    const offsetMs = client.lastClockOffsetMs;
    if (x.kind === 'http' && (x.statusCode === 401 || x.statusCode === 403)) return { reading, verdict: x.statusCode === 403 ? 'refused_time' : 'refused_auth', detail: `HTTP ${x.statusCode}`, offsetMs };
    if (x.kind !== 'reply') return { reading, verdict: 'other', detail: exchangeText(x), offsetMs };
    const code = integer(x.reply.error_code);
    const message = typeof x.reply.error_message === 'string' ? x.reply.error_message : '';
    if (code === 401 || message === 'apelsin.pay.authorization.error') return { reading, verdict: 'refused_auth', detail: `error_code ${String(code)}${message ? ` ${message}` : ''}`, offsetMs };
    if (code === 403) return { reading, verdict: 'refused_time', detail: 'error_code 403', offsetMs };
    return { reading, verdict: 'accepted', detail: `error_code ${String(code)}${message ? ` ${message}` : ''}`, offsetMs };
  } finally {
    await client.close();
  }
}

/**
 * payment/status of a payment that does not exist, signed with each reading of the contract's
 * "UNIX timestamp in milliseconds for the UTC +5 time zone" (uzum.timestamp): Uzum answers 404
 * "operation not found" to an Authorization it accepts, 401 (bad digest or inactive ids) or 403 (more
 * than 50 s off its clock) to one it does not. The configured reading refused while the other is
 * accepted fails the check and names the setting to change.
 */
async function checkUzum(config: NonNullable<Config['uzum']>): Promise<Check[]> {
  const name = `uzum ${config.base_url}`;
  const configured: UzumReading = config.timestamp ?? 'utc';
  const other: UzumReading = configured === 'utc' ? 'utc+5' : 'utc';
  const clock = { provider: 'Uzum', offsetMs: undefined as number | undefined, windowS: UZUM_AUTH_WINDOW_S, signed: true };
  let mine: UzumProbe;
  let theirs: UzumProbe;
  try {
    mine = await probeUzum(config, configured);
    theirs = await probeUzum(config, other);
  } catch (err) {
    return [{ name, ok: false, detail: reason(err), clock }];
  }
  clock.offsetMs = mine.offsetMs ?? theirs.offsetMs;
  const readingName = `uzum timestamp`;
  const readingLine = (ok: boolean, detail: string): Check => ({ name: readingName, ok, detail });
  const said = (p: UzumProbe) => `"${p.reading}" ${p.verdict === 'accepted' ? 'accepted' : p.verdict === 'other' ? 'not answered' : 'refused'} (${p.detail})`;
  if (mine.verdict === 'accepted') {
    const main: Check = { name, ok: true, detail: `reached, credentials not refused (a status query of no payment answered ${mine.detail})`, clock };
    const both = theirs.verdict === 'accepted' ? `; "${other}" is accepted too (${theirs.detail}): this Uzum does not check the time closely` : `; "${other}" is refused (${theirs.detail})`;
    return [main, readingLine(true, `this Uzum accepts the configured uzum.timestamp "${configured}"${both}`)];
  }
  if (theirs.verdict === 'accepted') {
    return [
      { name, ok: false, detail: `refused with the configured timestamp reading (${mine.detail}), accepted with the other (${theirs.detail})`, clock },
      readingLine(false, `this Uzum refuses uzum.timestamp "${configured}" and accepts "${other}": set uzum.timestamp: "${other}" in the configuration (every Uzum call fails until then)`),
    ];
  }
  if (mine.verdict === 'other') return [{ name, ok: false, detail: mine.detail, clock }, readingLine(false, `not decided: ${said(mine)}, ${said(theirs)}`)];
  if (mine.verdict === 'refused_auth' && theirs.verdict === 'refused_auth') {
    return [{ name, ok: false, detail: `credentials refused with either timestamp reading (${mine.detail}): check merchant_service_user_id, secret_key and service_id`, clock }, readingLine(false, `not decided: ${said(mine)}, ${said(theirs)}`)];
  }
  return [
    { name, ok: false, detail: `refused as older than ${UZUM_AUTH_WINDOW_S} s with either timestamp reading (${mine.detail}): ${clockExplanation('Uzum', clock.offsetMs, UZUM_AUTH_WINDOW_S, 'a request held up on the way is')}`, clock },
    readingLine(false, `not decided: ${said(mine)}, ${said(theirs)} — set this computer’s clock right and check again`),
  ];
}

/** receipts.check of a receipt that does not exist: Payme says "not found" to a cashbox it accepts, -32504 to one it does not. */
async function checkPayme(config: NonNullable<Config['payme']>): Promise<Check> {
  const url = config.url ?? PAYME_URLS[config.environment];
  const client = new PaymeClient({ url, cashboxId: config.cashbox_id, cashboxKey: config.cashbox_key }, { connectMs: config.timeouts.connect_ms, responseMs: config.timeouts.response_ms });
  const clock = () => ({ provider: 'Payme', offsetMs: client.lastClockOffsetMs, windowS: undefined, signed: false });
  try {
    await client.call('receipts.check', { id: '000000000000000000000000' });
    return { name: `payme ${url}`, ok: true, detail: 'reached, cashbox accepted', clock: clock() };
  } catch (err) {
    if (err instanceof PaymeRpcError) {
      if (err.code === -32504) return { name: `payme ${url}`, ok: false, detail: `cashbox refused (${err.code}): check cashbox_id and cashbox_key`, clock: clock() };
      return { name: `payme ${url}`, ok: true, detail: `reached, cashbox accepted (a check of no receipt answered ${err.code})`, clock: clock() };
    }
    return { name: `payme ${url}`, ok: false, detail: reason(err), clock: clock() };
  } finally {
    await client.close();
  }
}

/** Opens the link to a terminal and closes it again: no operation is sent. */
async function checkTerminal(t: TerminalConfig, key: string): Promise<Check> {
  const name = `terminal ${t.id} (${t.method}, ${t.driver})`;
  try {
    if (t.driver === 'bridge') {
      const b = t.bridge!;
      const endpoint = b.transport === 'tcp' ? { transport: 'tcp' as const, host: b.host!, port: b.port! } : { transport: 'serial' as const, path: b.path!, baudRate: b.baud_rate };
      const link = await openBridgeLink(endpoint, b.connect_timeout_ms);
      link.destroy();
      return { name, ok: true, detail: `${describeEndpoint(endpoint)} opened` };
    }
    if (t.driver === 'arcus2') {
      const a = t.arcus2!;
      await access(a.command, constants.X_OK);
      await access(a.work_dir, constants.W_OK);
    }
    // Built as PayBridge builds it at start: Arcus2's cashreg.ini and ops.ini read, every operation
    // resolved and checked (an ambiguous or unsafe ops.ini fails here, naming its lines). Nothing is sent.
    const driver = buildTerminalDriver(t, key);
    try {
      // arccom: the helper started and the library loaded, as before a first operation — the 32-bit
      // Node, koffi's binary for it and the DLL are what a till most often lacks. No operation is run.
      if (driver instanceof ArccomDriver) await driver.start();
    } finally {
      await driver.close();
    }
    const detail =
      t.driver === 'arcus2'
        ? `${t.arcus2!.command} runnable; ${t.arcus2!.work_dir} writable; cashreg.ini and ops.ini read, every operation resolved`
        : t.driver === 'arccom'
          ? `${t.arccom!.library} loaded by ${t.arccom!.node ?? process.execPath} in the helper process; no operation run`
          : 'configuration read';
    return { name, ok: true, detail };
  } catch (err) {
    return { name, ok: false, detail: reason(err) };
  }
}

/**
 * `paybridge config check`: the file is valid, and every provider and terminal it names can be
 * reached with its credentials, without charging anything. It starts nothing and opens no port: in
 * sandbox mode the providers and pinpads are PayBridge's own emulators, which start with PayBridge
 * on the sandbox's data (the running one's, if one runs), so they are not started here — a check
 * run beside a running PayBridge once failed on its ports and started a second set of emulators on
 * its ledgers. Whatever goes wrong is a FAIL line, never a stack trace.
 */
export async function configCheck(file: string | undefined): Promise<number> {
  const env = { ...process.env, ...(file ? { PAYBRIDGE_CONFIG: file } : {}) };
  let config: Config;
  let source: string;
  try {
    ({ config, source } = loadConfig(env));
  } catch (err) {
    process.stdout.write(`FAIL  configuration: ${err instanceof ConfigError ? err.message : `cannot be read: ${reason(err)}`}\n`);
    return EXIT.CONFIG;
  }
  process.stdout.write(`OK    configuration ${source} (${config.mode} mode)\n`);
  try {
    const sandbox = config.mode === 'sandbox';
    const { click, payme, uzum } = sandbox ? {} : config;
    const devices = config.terminals.devices;
    if (sandbox) {
      const ports = (['click', 'payme', 'uzum', 'uzcard'] as const).map((k) => `${k} ${config.sandbox[k].port === 0 ? 'a free port' : `port ${config.sandbox[k].port}`}`).join(', ');
      process.stdout.write(
        `OK    sandbox: Click, Payme, Uzum${devices.length === 0 ? ' and the Humo and UzCard pinpads' : ''} are PayBridge’s own emulators (${ports}); they start with PayBridge, not here — nothing to reach\n`,
      );
    }
    const checks = (
      await Promise.all([...(click ? [checkClick(click)] : []), ...(payme ? [checkPayme(payme)] : []), ...(uzum ? [checkUzum(uzum)] : []), ...devices.map((t, i) => checkTerminal(t, `terminals.devices.${i}`))])
    ).flat();
    for (const c of checks) {
      process.stdout.write(`${c.ok ? 'OK  ' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
      if (c.clock) process.stdout.write(clockLine(c.name.split(' ')[0]!, c.clock));
    }
    if (checks.length === 0 && !sandbox) process.stdout.write('      nothing to check: no provider or terminal is configured\n');
    return checks.every((c) => c.ok) ? EXIT.OK : EXIT.REFUSED;
  } catch (err) {
    process.stdout.write(`FAIL  check: ${reason(err)}\n`);
    return EXIT.REFUSED;
  }
}
