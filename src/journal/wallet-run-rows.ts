import type { WalletRun } from '../payments/ports/journal.js';

/** A wallet_runs row as both engines return it (BIGINTs may arrive as text from PostgreSQL). */
export interface WalletRunRow {
  id: string;
  scope: string;
  shop_date: string;
  methods: string;
  state: 'running' | 'done';
  started_at: number | string;
  finished_at: number | string | null;
  claimed_by: string | null;
  claim_epoch: number | string;
  claim_expires_at: number | string | null;
  report: string | null;
}

export function rowToWalletRun(row: WalletRunRow): WalletRun {
  return {
    id: row.id,
    scope: row.scope,
    date: row.shop_date,
    methods: JSON.parse(row.methods) as string[],
    state: row.state,
    startedAt: Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    claim: row.claimed_by === null || row.claim_expires_at === null ? null : { owner: row.claimed_by, epoch: Number(row.claim_epoch), expiresAt: Number(row.claim_expires_at) },
    report: row.report === null ? null : (JSON.parse(row.report) as unknown),
  };
}

/** The newest finished run of each date, oldest date first, from rows sorted by date then start. */
export function newestPerDate(runs: readonly WalletRun[]): WalletRun[] {
  const byDate = new Map<string, WalletRun>();
  for (const run of runs) byDate.set(run.date, run);
  return [...byDate.values()];
}
