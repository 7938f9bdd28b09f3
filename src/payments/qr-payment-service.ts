import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Journal } from '../journal/journal.js';
import type { ChargeOutcome, ChargeProgress, QrProvider } from '../providers/qr-provider.js';
import { billingError, ErrorCode } from './errors.js';
import { maskQrCode } from './masking.js';
import type { TransactionStatus } from './state-machine.js';
import type { Transaction } from './transaction.js';

export interface QrPaymentRequest {
  amount: number;
  qrCode: string;
}

/** What the POS receives on success: the seed documents' fields. */
export interface QrPaymentResult {
  status_code: 0;
  status: 'successfully';
  message: string;
  transaction_id: string;
  payment_id: string;
  amount: number;
  qr_code: string;
  client_phone_number: string | null;
}

export function hashQrCode(qrCode: string): string {
  return createHash('sha256').update(qrCode).digest('hex');
}

/**
 * Takes a QR-wallet payment through its life: written to the journal as `pending` before the
 * provider hears of it, every fact the provider reveals written down before the next step, and
 * the final outcome recorded before the till is answered.
 */
export class QrPaymentService {
  constructor(
    private readonly journal: Journal,
    private readonly providers: ReadonlyMap<string, QrProvider>,
    private readonly log: Logger,
  ) {}

  async pay(method: 'click' | 'payme', request: QrPaymentRequest): Promise<QrPaymentResult> {
    const provider = this.providers.get(method);
    if (!provider) {
      throw billingError('NOT_CONFIGURED', { reason: `${method} is not configured on this PayBridge; see the README's configuration section.` });
    }
    const tx = await this.journal.insert(
      {
        id: randomUUID(),
        method,
        amount: request.amount,
        qrCodeMasked: maskQrCode(request.qrCode),
        qrCodeHash: hashQrCode(request.qrCode),
        createdAt: Date.now(),
      },
      { step: 'received', detail: { amount: request.amount, qr_code: request.qrCode } },
    );
    const log = this.log.child({ transaction_id: tx.id, method });
    let status: TransactionStatus = 'pending';

    const progress = async (p: ChargeProgress): Promise<void> => {
      const to: TransactionStatus = p.uncertain && status === 'pending' ? 'unknown' : status;
      await this.journal.transition(tx.id, status, to, { providerPaymentId: p.providerPaymentId }, { step: p.step, detail: p.uncertain ? { uncertain: p.uncertain, evidence: p.detail } : p.detail });
      if (to !== status) log.warn({ step: p.step, reason: p.uncertain }, 'payment outcome uncertain; resolving through the provider status API');
      status = to;
    };

    let outcome: ChargeOutcome;
    try {
      outcome = await provider.charge({ transactionId: tx.id, amount: tx.amount, qrCode: request.qrCode, createdAt: tx.createdAt }, progress);
    } catch (err) {
      // A bug or a journal failure mid-flight: whether money moved is not known, so say exactly that.
      log.error({ err }, 'payment flow failed unexpectedly');
      outcome = { status: 'unknown', reason: 'PayBridge failed while talking to the provider. Do not take the payment again; PayBridge keeps checking.' };
    }
    return this.settle(tx, status, outcome, request, log);
  }

  private async settle(tx: Transaction, from: TransactionStatus, outcome: ChargeOutcome, request: QrPaymentRequest, log: Logger): Promise<QrPaymentResult> {
    if (outcome.status === 'succeeded') {
      try {
        await this.journal.transition(
          tx.id,
          from,
          'succeeded',
          { providerPaymentId: outcome.providerPaymentId, clientPhoneNumber: outcome.clientPhoneNumber, providerMessage: outcome.message },
          { step: 'succeeded', detail: outcome.detail },
        );
      } catch (err) {
        // The customer has paid. Telling the till otherwise would invite a second charge, so the
        // answer stays a success; the row stays open for recovery to settle.
        log.error({ err }, 'payment succeeded at the provider but could not be recorded as such');
      }
      log.info({ provider_payment_id: outcome.providerPaymentId, amount: tx.amount }, 'payment succeeded');
      return {
        status_code: 0,
        status: 'successfully',
        message: outcome.message,
        transaction_id: tx.id,
        payment_id: outcome.providerPaymentId,
        amount: tx.amount,
        qr_code: request.qrCode,
        client_phone_number: outcome.clientPhoneNumber,
      };
    }

    const error =
      outcome.status === 'failed'
        ? billingError(`${outcome.providerCode}: ${outcome.providerText}`, { reason: outcome.reason, transaction_id: tx.id, transaction_status: 'failed' })
        : billingError('OUTCOME_UNKNOWN', {
            reason: outcome.reason,
            transaction_id: tx.id,
            transaction_status: 'unknown',
          });
    const to: TransactionStatus = outcome.status;
    const patch = {
      error: { code: ErrorCode.BILLING, message: error.message, data: error.data },
      ...(outcome.status === 'unknown' && outcome.providerPaymentId ? { providerPaymentId: outcome.providerPaymentId } : {}),
    };
    await this.journal.transition(tx.id, from, to, patch, { step: to, detail: { reason: outcome.reason, evidence: outcome.detail } });
    log.warn({ outcome: outcome.status, data: error.data, reason: outcome.reason }, 'payment not completed');
    throw error;
  }
}
