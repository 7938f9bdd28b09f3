import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { ClickEmulator } from './click/emulator.js';
import { SANDBOX_CLICK, SANDBOX_PAYME } from './credentials.js';
import { PaymeEmulator } from './payme/emulator.js';

export interface Emulators {
  click: ClickEmulator;
  payme: PaymeEmulator;
  close(): Promise<void>;
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
    }).start();
  } catch (err) {
    await click.close();
    throw err;
  }
  return {
    click,
    payme,
    async close() {
      await Promise.all([click.close(), payme.close()]);
    },
  };
}
