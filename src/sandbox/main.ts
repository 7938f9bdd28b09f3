import { loadConfig, ConfigError } from '../config/load.js';
import { createLogger } from '../logger.js';
import { startClickEmulator } from '../app.js';
import { SANDBOX_CLICK } from './credentials.js';

/**
 * `npm run sandbox`: the emulators alone, for pointing a real PayBridge configuration (or any other
 * client) at them. The Click emulator listens on SANDBOX_CLICK_PORT (default 9101).
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig().config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`paybridge sandbox: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  config.sandbox.click.port = Number(process.env.SANDBOX_CLICK_PORT ?? (config.sandbox.click.port || 9101));
  const logger = createLogger(config.log.level);
  const click = await startClickEmulator(config, logger);
  logger.info(
    { base_url: click.baseUrl, service_id: SANDBOX_CLICK.serviceId, merchant_user_id: SANDBOX_CLICK.merchantUserId, ledger: `${click.baseUrl.replace(/v2\/merchant\/$/, '')}_sandbox/payments` },
    `Click emulator listening at ${click.baseUrl} (secret_key "${SANDBOX_CLICK.secretKey}")`,
  );
  const stop = () => void click.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
