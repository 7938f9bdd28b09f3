import { setTimeout as sleep } from 'node:timers/promises';
import { createPayBridge } from './app.js';
import { ConfigError, loadConfig } from './config/load.js';
import { createLogger } from './logger.js';
import { VERSION } from './version.js';

/** EX_CONFIG from sysexits.h: the configuration is wrong, retrying will not help. */
export const EXIT_CONFIG = 78;

/**
 * PayBridge as a service, stopped gracefully by SIGINT or SIGTERM: no new requests, payments in
 * flight finish (up to server.shutdown_grace_ms), the journal closes. `npm start` and
 * `paybridge start` both run this. Exits 78 on a bad configuration.
 */
export async function runService(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`paybridge: ${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
  const { config, source } = loaded;
  const logger = createLogger(config.log.level);
  const bridge = await createPayBridge(config, logger);
  const address = await bridge.server.listen({ host: config.server.host, port: config.server.port });
  logger.info(
    { version: VERSION, mode: config.mode, config: source, journal: config.journal.path, sandbox: bridge.emulators ? { click: bridge.emulators.click.baseUrl, payme: bridge.emulators.payme.url } : undefined },
    `PayBridge ${VERSION} listening on ${address} (${config.mode} mode); console ${address}/console/, API reference ${address}/docs`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now; unfinished payments stay in the journal for recovery');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, grace_ms: config.server.shutdown_grace_ms }, 'shutting down: no new requests, finishing the ones in flight');
    const finished = await Promise.race([bridge.close().then(() => true), sleep(config.server.shutdown_grace_ms, false, { ref: false })]);
    if (!finished) logger.warn('grace period over: exiting with requests still in flight; their journal entries stay open for recovery');
    else logger.info('stopped');
    process.exit(finished ? 0 : 1);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
