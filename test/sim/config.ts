import { tmpdir } from 'node:os';
import { leaseProblems, operationBounds } from '../../src/config/leases.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { Rng } from './random.js';

/**
 * A PayBridge configuration for one run, drawn from the seed within what PayBridge accepts (the
 * lease rules loadConfig enforces, src/config/leases.ts): poll intervals, deadlines, the "not
 * found" delays, timeouts, recovery's interval, grace and claim, idempotency's wait. Shorter than
 * the defaults, so that a run's virtual hours hold many payments, in the same proportions.
 */
export function simConfig(rng: Rng): Config {
  const { config } = loadConfig({ LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv, tmpdir());
  config.mode = 'production';
  const timing = () => {
    const poll = rng.pick([250, 500, 1000]);
    return {
      timeouts: { connect_ms: rng.pick([300, 500, 1000]), response_ms: rng.pick([800, 1500, 3000]) },
      poll_interval_ms: poll,
      status_deadline_ms: rng.pick([2, 4, 8]) * poll * 2,
      not_found_after_ms: rng.pick([2, 4, 6]) * poll,
    };
  };
  config.click = { base_url: 'https://click.sim/v2/merchant/', service_id: 1, merchant_user_id: 'sim', secret_key: 'sim-secret', partial_reversal: rng.chance(0.5), confirm_mode: false, ...timing() };
  config.payme = { environment: 'test', url: 'https://payme.sim/api', cashbox_id: 'sim', cashbox_key: 'sim-key', account_field: 'order_id', ...timing() };
  config.uzum = {
    base_url: 'https://uzum.sim/api/apelsin-pay/merchant/',
    service_id: 1,
    merchant_service_user_id: '7',
    secret_key: 'sim-secret',
    cashbox_code: 'KKM-1',
    timestamp: 'utc',
    ...timing(),
  };
  config.terminals.queue_wait_ms = rng.pick([5_000, 10_000]);
  // The customer at the pinpad takes up to 12 s here (src/sandbox/… minutes in real life): scaled down with the rest.
  const bridge = { connect_timeout_ms: 500, answer_timeout_ms: 15_000 };
  config.terminals.devices = [
    { id: 'humo-1', method: 'humo', driver: 'bridge', default: true, bridge },
    { id: 'uzcard-1', method: 'uzcard', driver: 'bridge', default: true, bridge },
  ] as unknown as Config['terminals']['devices'];
  const settle = operationBounds(config).settle!.ms;
  config.recovery.interval_ms = rng.pick([2_000, 5_000, 15_000]);
  config.recovery.grace_ms = rng.pick([1_500, 3_000, 10_000, 30_000]);
  config.recovery.claim_ms = Math.ceil(settle * rng.pick([1.1, 1.5, 3]));
  const operation = operationBounds(config).operation!.ms;
  // Above the longest settle, so that a retry answered only after wait_ms is told apart from one answered promptly.
  config.idempotency.wait_ms = Math.max(30_000, Math.ceil(settle * 1.5));
  config.idempotency.key_ttl_ms = Math.max(86_400_000, 2 * config.idempotency.wait_ms + 2 * operation + 1);
  config.idempotency.qr_retry_window_ms = 600_000;
  config.fiscal.retry_initial_ms = 2_000;
  config.fiscal.retry_max_ms = 60_000;
  config.fiscal.sweep_interval_ms = 5_000;
  const problems = leaseProblems(config);
  if (problems.length) throw new Error(`the simulator drew a configuration PayBridge refuses:\n${problems.join('\n')}`);
  return config;
}
