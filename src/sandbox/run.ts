import { ConfigError, loadConfig } from '../config/load.js';
import { createServiceLogger } from '../logger.js';
import { EXIT_CONFIG } from '../service.js';
import { SANDBOX_CLICK, SANDBOX_PAYME, SANDBOX_UZUM } from './credentials.js';
import { startEmulators } from './start.js';

/**
 * The emulators alone, for pointing a real PayBridge configuration (or any other client) at them.
 * Click listens on SANDBOX_CLICK_PORT (default 9101), Payme on SANDBOX_PAYME_PORT (9102), the
 * UzCard terminal on SANDBOX_UZCARD_PORT (9103), Uzum on SANDBOX_UZUM_PORT (9104). `npm run sandbox` and `paybridge sandbox`.
 */
export async function runSandbox(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config;
  try {
    config = loadConfig(env).config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`paybridge sandbox: ${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
  config.sandbox.click.port = Number(env.SANDBOX_CLICK_PORT ?? (config.sandbox.click.port || 9101));
  config.sandbox.payme.port = Number(env.SANDBOX_PAYME_PORT ?? (config.sandbox.payme.port || 9102));
  config.sandbox.uzcard.port = Number(env.SANDBOX_UZCARD_PORT ?? (config.sandbox.uzcard.port || 9103));
  config.sandbox.uzum.port = Number(env.SANDBOX_UZUM_PORT ?? (config.sandbox.uzum.port || 9104));
  // Pretty on a terminal and JSON otherwise, as the service's own log (log.format, log.file).
  const log = createServiceLogger(config.log);
  const { logger } = log;
  const emulators = await startEmulators(config, logger);
  // The sandbox credentials are public test values, so they are printed in the message itself.
  logger.info(
    `Click emulator at ${emulators.click.baseUrl} (service_id ${SANDBOX_CLICK.serviceId}, merchant_user_id "${SANDBOX_CLICK.merchantUserId}", secret_key "${SANDBOX_CLICK.secretKey}")`,
  );
  logger.info(`Payme emulator at ${emulators.payme.url} (cashbox_id "${SANDBOX_PAYME.cashboxId}", cashbox_key "${SANDBOX_PAYME.cashboxKey}")`);
  logger.info(
    `Uzum emulator at ${emulators.uzum.baseUrl} (service_id ${SANDBOX_UZUM.serviceId}, merchant_service_user_id "${SANDBOX_UZUM.merchantServiceUserId}", secret_key "${SANDBOX_UZUM.secretKey}")`,
  );
  logger.info(`UzCard terminal (bridge protocol) at tcp://127.0.0.1:${emulators.uzcardPort}`);
  logger.info(`Arcus2 folder for Humo at ${emulators.arcus2.workDir}: command ${[emulators.arcus2.command, ...emulators.arcus2.args].join(' ')}`);
  const stop = () => void emulators.close().then(() => log.close()).then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
