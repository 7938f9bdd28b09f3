import type { Fence, NewClaim, WalletRun, WalletRunAttempt, WalletRunStore } from '../../payments/ports/journal.js';
import type { ClaimHeld } from '../../payments/ports/journal.js';
import { newestPerDate, rowToWalletRun, type WalletRunRow } from '../wallet-run-rows.js';
import type { SqlConnection } from './connection.js';
import type { GroupCommit } from './group-commit.js';

/** Wallet reconciliation runs in the SQLite journal: claims on the journal's (injected) clock, writes through its group commit. */
export class SqliteWalletRuns implements WalletRunStore {
  private readonly statements;

  constructor(
    db: SqlConnection,
    private readonly writes: GroupCommit,
    private readonly now: () => number,
  ) {
    this.statements = {
      running: db.prepare(`SELECT * FROM wallet_runs WHERE scope = ? AND shop_date = ? AND state = 'running'`),
      take: db.prepare(
        `UPDATE wallet_runs SET claimed_by = @owner, claim_epoch = claim_epoch + 1, claim_expires_at = @until
         WHERE id = @id AND state = 'running' AND (claimed_by IS NULL OR claim_expires_at <= @now OR claimed_by = @owner) RETURNING *`,
      ),
      insert: db.prepare(
        `INSERT INTO wallet_runs (id, scope, shop_date, methods, state, started_at, claimed_by, claim_epoch, claim_expires_at)
         VALUES (@id, @scope, @date, @methods, 'running', @now, @owner, 1, @until) RETURNING *`,
      ),
      renew: db.prepare(`UPDATE wallet_runs SET claim_expires_at = @until WHERE id = @id AND state = 'running' AND claimed_by = @owner AND claim_epoch = @epoch`),
      answer: db.prepare(`INSERT INTO wallet_run_answers (run_id, key, answer, at) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, key) DO NOTHING`),
      answers: db.prepare(`SELECT key, answer FROM wallet_run_answers WHERE run_id = ?`),
      finish: db.prepare(
        `UPDATE wallet_runs SET state = 'done', finished_at = @now, report = @report, claimed_by = NULL, claim_expires_at = NULL
         WHERE id = @id AND state = 'running' AND claimed_by = @owner AND claim_epoch = @epoch`,
      ),
      latest: db.prepare(`SELECT * FROM wallet_runs WHERE scope = ? AND shop_date = ? ORDER BY started_at DESC, rowid DESC LIMIT 1`),
      // Only at start, under the file's lock: whoever held a run then is a process that is gone.
      releaseDead: db.prepare(`UPDATE wallet_runs SET claimed_by = NULL, claim_expires_at = NULL WHERE state = 'running' AND claimed_by IS NOT NULL`),
      finished: db.prepare(`SELECT * FROM wallet_runs WHERE scope = ? AND shop_date >= ? AND state = 'done' ORDER BY shop_date, finished_at, rowid`),
    };
  }

  /** Inside the journal's own write: the runs a process that is gone left claimed (a new epoch fences it out when taken). */
  releaseDeadClaims(): number {
    return Number(this.statements.releaseDead.run().changes);
  }

  startWalletRun(fresh: { id: string; scope: string; date: string; methods: string[] }, claim: NewClaim): Promise<WalletRunAttempt> {
    return this.writes.run(() => {
      const now = this.now();
      const until = now + claim.leaseMs;
      const running = this.statements.running.get(fresh.scope, fresh.date) as WalletRunRow | undefined;
      if (running) {
        const taken = this.statements.take.get({ id: running.id, owner: claim.owner, now, until }) as WalletRunRow | undefined;
        if (!taken) return { taken: false, run: rowToWalletRun(running) };
        return { taken: true, resumed: true, run: rowToWalletRun(taken) as WalletRun & { claim: ClaimHeld } };
      }
      const row = this.statements.insert.get({ ...fresh, methods: JSON.stringify(fresh.methods), now, owner: claim.owner, until }) as WalletRunRow;
      return { taken: true, resumed: false, run: rowToWalletRun(row) as WalletRun & { claim: ClaimHeld } };
    });
  }

  renewWalletRun(id: string, fence: Fence, leaseMs: number): Promise<boolean> {
    return this.writes.run(() => Number(this.statements.renew.run({ id, ...fence, until: this.now() + leaseMs }).changes) === 1);
  }

  async saveWalletAnswer(runId: string, key: string, answer: unknown): Promise<void> {
    await this.writes.run(() => this.statements.answer.run(runId, key, JSON.stringify(answer), this.now()));
  }

  async walletAnswers(runId: string): Promise<Map<string, unknown>> {
    const rows = this.statements.answers.all(runId) as { key: string; answer: string }[];
    return new Map(rows.map((r) => [r.key, JSON.parse(r.answer) as unknown]));
  }

  finishWalletRun(id: string, fence: Fence, report: unknown): Promise<boolean> {
    return this.writes.run(() => Number(this.statements.finish.run({ id, ...fence, now: this.now(), report: JSON.stringify(report) }).changes) === 1);
  }

  async latestWalletRun(scope: string, date: string): Promise<WalletRun | undefined> {
    const row = this.statements.latest.get(scope, date) as WalletRunRow | undefined;
    return row && rowToWalletRun(row);
  }

  async finishedWalletRuns(scope: string, fromDate: string): Promise<WalletRun[]> {
    return newestPerDate((this.statements.finished.all(scope, fromDate) as WalletRunRow[]).map(rowToWalletRun));
  }
}
