/**
 * The providers and the terminal a benchmark measures PayBridge against, in a process of their
 * own so that they do not share PayBridge's event loop. Prints one JSON line with their addresses.
 * BENCH_CLICK_DELAY_MS holds every Click charge that long before answering.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickEmulator } from '../src/sandbox/click/emulator.js';
import { SANDBOX_CLICK } from '../src/sandbox/credentials.js';
import { BridgeTerminalEmulator } from '../src/sandbox/uzcard/bridge-emulator.js';

const delayMs = Number(process.env.BENCH_CLICK_DELAY_MS ?? 0);
const click = await new ClickEmulator({
  ...SANDBOX_CLICK,
  lostAnswerDelayMs: 120_000,
  processingMs: 1_000,
  confirmWindowMs: 30_000,
  onChargeRequest: delayMs > 0 ? () => sleep(delayMs) : undefined,
}).start();
const uzcard = new BridgeTerminalEmulator(join(tmpdir(), `paybridge-bench-uzcard-${process.pid}.json`));
const uzcardPort = await uzcard.listen(0);
process.stdout.write(`${JSON.stringify({ click: click.baseUrl, uzcardPort })}\n`);
process.on('SIGTERM', () => void Promise.all([click.close(), uzcard.close()]).then(() => process.exit(0)));
