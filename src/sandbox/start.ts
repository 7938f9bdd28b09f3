import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { ClickEmulator } from './click/emulator.js';
import { SANDBOX_CLICK, SANDBOX_PAYME, SANDBOX_UZUM } from './credentials.js';
import { UzumEmulator } from './uzum/emulator.js';
import { PaymeEmulator } from './payme/emulator.js';
import { join } from 'node:path';
import { setUpSandboxArcus2, type SandboxArcus2 } from './arcus2/setup.js';
import { BridgeTerminalEmulator } from './uzcard/bridge-emulator.js';
import type { TerminalConfig } from '../config/schema.js';
import { Value } from '../lib/typebox.js';
import { TerminalConfigSchema } from '../config/schema.js';

export interface Emulators {
  click: ClickEmulator;
  payme: PaymeEmulator;
  uzum: UzumEmulator;
  /** The UzCard terminal behind the bridge protocol on a TCP port of loopback. */
  uzcard: BridgeTerminalEmulator;
  uzcardPort: number;
  /** The Arcus2 folder and emulated CommandLineTool for Humo. */
  arcus2: SandboxArcus2;
  close(): Promise<void>;
}

/** The terminals of sandbox mode: Humo through the emulated Arcus2 tool, UzCard through the bridge emulator. */
export function sandboxTerminals(emulators: Emulators, timeoutMs: number): TerminalConfig[] {
  return [
    Value.Default(TerminalConfigSchema, {
      id: 'humo-sandbox',
      method: 'humo',
      default: true,
      driver: 'arcus2',
      // The sandbox's magic amounts answer within seconds; a real pinpad gets minutes.
      // The emulated tool takes what the cashier would key in at the pinpad as /n (cancel) and /r
      // (refund): a site whose tool takes a reference configures it the same way.
      arcus2: {
        command: emulators.arcus2.command,
        args: emulators.arcus2.args,
        work_dir: emulators.arcus2.workDir,
        timeout_ms: timeoutMs,
        cancel_args: ['/n{receipt}'],
        refund_args: ['/r{rrn}'],
      },
    }) as TerminalConfig,
    Value.Default(TerminalConfigSchema, {
      id: 'uzcard-sandbox',
      method: 'uzcard',
      default: true,
      driver: 'bridge',
      bridge: { transport: 'tcp', host: '127.0.0.1', port: emulators.uzcardPort, answer_timeout_ms: timeoutMs },
    }) as TerminalConfig,
  ];
}

/** Starts every provider emulator on loopback, with the sandbox settings of `config`. */
export async function startEmulators(config: Config, logger: Logger): Promise<Emulators> {
  const c = config.sandbox.click;
  const p = config.sandbox.payme;
  const click = await new ClickEmulator({
    ...SANDBOX_CLICK,
    host: '127.0.0.1',
    port: c.port,
    lostAnswerDelayMs: c.lost_answer_delay_ms,
    processingMs: c.processing_ms,
    confirmWindowMs: c.confirm_window_ms,
    statusLagMs: c.status_lag_ms,
    ledgerFile: join(config.data_dir, 'sandbox', 'click-ledger.jsonl'),
    onChargeRequest: ({ amountTiyin }) => logger.debug({ amount: amountTiyin }, 'click emulator: charge request'),
  }).start();
  let payme: PaymeEmulator;
  try {
    payme = await new PaymeEmulator({
      ...SANDBOX_PAYME,
      host: '127.0.0.1',
      port: p.port,
      lostAnswerDelayMs: p.lost_answer_delay_ms,
      processingMs: p.processing_ms,
      cancelQueueMs: p.cancel_queue_ms,
      // The cashbox is set up with the field PayBridge is configured to send (the cabinet refund finds receipts by it).
      accountField: config.payme?.account_field,
      ledgerFile: join(config.data_dir, 'sandbox', 'payme-ledger.jsonl'),
    }).start();
  } catch (err) {
    await click.close();
    throw err;
  }
  let uzum: UzumEmulator;
  try {
    uzum = await new UzumEmulator({
      ...SANDBOX_UZUM,
      host: '127.0.0.1',
      port: config.sandbox.uzum.port,
      lostAnswerDelayMs: config.sandbox.uzum.lost_answer_delay_ms,
      processingMs: config.sandbox.uzum.processing_ms,
      timestamp: config.sandbox.uzum.timestamp,
      ledgerFile: join(config.data_dir, 'sandbox', 'uzum-ledger.jsonl'),
    }).start();
  } catch (err) {
    await Promise.all([click.close(), payme.close()]);
    throw err;
  }
  const arcus2 = setUpSandboxArcus2(join(config.data_dir, 'sandbox', 'arcus2'));
  const uzcard = new BridgeTerminalEmulator(join(config.data_dir, 'sandbox', 'uzcard-terminal.json'), 'uzcard');
  let uzcardPort: number;
  try {
    uzcardPort = await uzcard.listen(config.sandbox.uzcard.port);
  } catch (err) {
    await Promise.all([click.close(), payme.close(), uzum.close()]);
    throw err;
  }
  return {
    click,
    payme,
    uzum,
    uzcard,
    uzcardPort,
    arcus2,
    async close() {
      await Promise.all([click.close(), payme.close(), uzum.close(), uzcard.close()]);
    },
  };
}
