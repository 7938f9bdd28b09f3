import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ClickConfig, Config } from './config/schema.js';
import { buildServer } from './http/server.js';
import type { Journal } from './journal/journal.js';
import { SqliteJournal } from './journal/sqlite/sqlite-journal.js';
import { QrPaymentService } from './payments/qr-payment-service.js';
import { ClickClient } from './providers/click/client.js';
import { ClickPass } from './providers/click/click-pass.js';
import type { QrProvider } from './providers/qr-provider.js';
import { ClickEmulator } from './sandbox/click/emulator.js';
import { SANDBOX_CLICK } from './sandbox/credentials.js';
import { VERSION } from './version.js';

export interface PayBridge {
  config: Config;
  server: FastifyInstance;
  journal: Journal;
  /** Set in sandbox mode. */
  clickEmulator: ClickEmulator | undefined;
  close(): Promise<void>;
}

const CLICK_DEFAULTS = {
  base_url: 'https://api.click.uz/v2/merchant/',
  timeouts: { connect_ms: 5_000, response_ms: 10_000 },
  poll_interval_ms: 1_000,
  status_deadline_ms: 45_000,
};

export function startClickEmulator(config: Config, logger: Logger): Promise<ClickEmulator> {
  const s = config.sandbox.click;
  return new ClickEmulator({
    ...SANDBOX_CLICK,
    host: '127.0.0.1',
    port: s.port,
    lostAnswerDelayMs: s.lost_answer_delay_ms,
    processingMs: s.processing_ms,
    confirmWindowMs: s.confirm_window_ms,
    onChargeRequest: ({ amountTiyin }) => logger.debug({ amount: amountTiyin }, 'click emulator: charge request'),
  }).start();
}

function clickPass(click: ClickConfig): QrProvider {
  const client = new ClickClient(
    {
      baseUrl: click.base_url,
      serviceId: click.service_id,
      merchantUserId: click.merchant_user_id,
      secretKey: click.secret_key,
      cashboxCode: click.cashbox_code,
    },
    { connectMs: click.timeouts.connect_ms, responseMs: click.timeouts.response_ms },
  );
  return new ClickPass(client, { pollIntervalMs: click.poll_interval_ms, statusDeadlineMs: click.status_deadline_ms });
}

/**
 * Wires PayBridge together from its configuration: the journal, the providers (or, in sandbox
 * mode, the emulators they talk to over loopback) and the HTTP server. Does not listen.
 */
export async function createPayBridge(config: Config, logger: Logger): Promise<PayBridge> {
  const journal = new SqliteJournal({ path: config.journal.path! });
  let clickEmulator: ClickEmulator | undefined;
  const providers = new Map<string, QrProvider>();
  try {
    let click: ClickConfig | undefined = config.click;
    if (config.mode === 'sandbox') {
      clickEmulator = await startClickEmulator(config, logger);
      click = {
        ...CLICK_DEFAULTS,
        ...config.click,
        timeouts: { ...CLICK_DEFAULTS.timeouts, ...config.click?.timeouts },
        base_url: clickEmulator.baseUrl,
        service_id: SANDBOX_CLICK.serviceId,
        merchant_user_id: SANDBOX_CLICK.merchantUserId,
        secret_key: SANDBOX_CLICK.secretKey,
      };
    }
    if (click) providers.set('click', clickPass(click));
  } catch (err) {
    await journal.close();
    throw err;
  }

  const payments = new QrPaymentService(journal, providers, logger);
  const server = buildServer({
    logger,
    journal,
    payments,
    bodyLimitBytes: config.server.body_limit_bytes,
    limits: { maxAmountTiyin: config.limits.max_amount_tiyin, maxQrCodeLength: config.limits.max_qr_code_length },
    health: async () => {
      const j = await journal.health();
      return {
        ok: j.ok,
        mode: config.mode,
        version: VERSION,
        journal: j,
        methods: [...providers.keys()],
        ...(clickEmulator ? { sandbox: { click: clickEmulator.baseUrl } } : {}),
      };
    },
  });

  let closed = false;
  return {
    config,
    server,
    journal,
    clickEmulator,
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      await Promise.allSettled([...providers.values()].map((p) => p.close()));
      await clickEmulator?.close();
      await journal.close();
    },
  };
}
