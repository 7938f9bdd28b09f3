import { NOT_DOCUMENTED, table, type Citation, type OutcomeRule, type OutcomeTable } from '../payments/outcome-table.js';
import { PINPAD_CODES } from '../payments/pinpad-codes.js';
import { isApproval, NO_LINK_CODES, OTHER_PAYMENT_KEY } from '../payments/terminal-evidence.js';

export { APPROVED_CODES, isApproval, NO_LINK_CODES, operationKeys, statusKeys, type StatusEvidence } from '../payments/terminal-evidence.js';

/**
 * What a pinpad's answers prove about the money, shared by both drivers: the response codes of the
 * public FiscalBox API documentation (Errors.md, shared/reference/pinpad-codes.md) with the handling
 * shared/reference/humo-arcus2.md gives them.
 */

const CODES_DOC = 'FiscalBox API docs, pinpad response codes';
/** The FiscalBox page that lists the pinpads' response codes ("Bank PIN Pad (Terminal) Errors"). */
const CODES_PAGE = 'https://github.com/abdullo211/fiscal_document/blob/HEAD/Errors.md';
/** The FiscalBox page whose Humo universal-cancel slip reads ОДОБРЕНО / ОПЕРАЦИЯ ОТМЕНЕНА with code 400. */
const CANCEL_PAGE = 'https://github.com/abdullo211/fiscal_document/blob/HEAD/Cancel%20Payment%20via%20Ingenico%20(HUMO)%20and%20PAX%20(UZCARD).md';

/** A code's row of the FiscalBox list, quoted as the page prints it. */
function codeCite(code: string): Citation {
  const meaning = PINPAD_CODES[code]!;
  return { doc: CODES_PAGE, quote: `${code} | ${meaning.ru} | ${meaning.en}` };
}

/** The bridge protocol is PayBridge's own published contract with the adapter (no vendor publishes one). */
const bridgeEvidence = (what: string): Citation => ({
  evidence: `bridge protocol v1 (docs/terminals.md), PayBridge’s own contract with the adapter, checked by \`paybridge terminal conformance\`: ${what}`,
});
/** Host or link trouble: whether the bank approved is not known. */
const SYSTEM_ERROR_CODES = ['005', '402', '403', '404', '911'] as const;

/**
 * What Arcus2's print-last proves about an operation whose answer was lost, for both drivers that
 * reach the pinpad through Arcus2 (the command-line tool and arccom.dll): neither can ask about one request.
 */
function printLastRules(): OutcomeRule[] {
  return [
    { answer: 'print_last: any code but an approval', outcome: 'uncertain', source: 'Arcus2: print-last that did not succeed (busy 984, no link 999, …) shows nothing; asked again later' },
    {
      answer: 'print_last: the slip of this operation',
      outcome: 'paid',
      source: 'FiscalBox docs, Humo slips: approved, same operation and amount, an RRN no other journal entry has',
      cite: { evidence: 'the pinpad’s own last slip: an approval code, this operation’s kind and amount, and an RRN no other journal entry has' },
    },
    {
      answer: 'print_last: the slip of an operation journaled before this one',
      outcome: 'declined',
      source: 'the pinpad’s last document predates this operation: it left no slip, so it was not approved',
      cite: { evidence: 'the journal: the last slip is an operation journaled before this one, and an approval always prints a slip' },
    },
    {
      answer: 'print_last: no approval on the last slip, nothing journaled on the terminal since',
      outcome: 'declined',
      source:
        'the pinpad’s last document is a refusal or nothing, and no operation was journaled on this terminal after this one: had this one been approved, its slip (with an RRN) would be the last (the pinpad is driven by PayBridge alone)',
      cite: { evidence: 'the journal: nothing ran on this terminal after this operation, and the pinpad’s last slip carries no approval' },
    },
    {
      answer: 'print_last: any other slip (a refusal, an unknown operation, none)',
      outcome: 'uncertain',
      source: `${NOT_DOCUMENTED}: a slip that cannot be tied to this operation or ruled out proves nothing; an operator decides`,
      },
  ];
}

/** Every documented code as the answer to an operation (purchase, cancel, refund). */
function operationCodeRules(): OutcomeRule[] {
  const rules: OutcomeRule[] = [];
  for (const [code, meaning] of Object.entries(PINPAD_CODES)) {
    const name = `code ${code} (${meaning.en})`;
    if (isApproval(code)) rules.push({ answer: `code ${code}`, outcome: 'paid', source: `${CODES_DOC}: ${meaning.en} — approved`, cite: codeCite(code) });
    else if (code === '984') {
      rules.push({
        answer: `code ${code}`,
        outcome: 'declined',
        source: `${CODES_DOC}: ${meaning.en} — the pinpad refused to start it (busy with another dialogue)`,
        cite: codeCite(code),
      });
    }
    else if ((NO_LINK_CODES as readonly string[]).includes(code)) {
      rules.push({ answer: `code ${code}`, outcome: 'uncertain', source: `${CODES_DOC}: ${meaning.en} — may have reached the pinpad; the terminal is asked` });
    } else if ((SYSTEM_ERROR_CODES as readonly string[]).includes(code)) {
      rules.push({ answer: `code ${code}`, outcome: 'uncertain', source: `${CODES_DOC}: ${meaning.en} — a system or link error says nothing of the bank's decision` });
    } else rules.push({ answer: `code ${code}`, outcome: 'declined', source: `${CODES_DOC}: ${name} — a refusal`, cite: codeCite(code) });
  }
  rules.push({
    answer: 'code 400 to a cancel',
    outcome: 'paid',
    source: `${CODES_DOC}: 400 on a Humo cancel slip — the cancel was approved`,
    cite: { doc: CANCEL_PAGE, quote: 'Отмена (CANCEL) ОДОБРЕНО ОПЕРАЦИЯ ОТМЕНЕНА … Код ответа:400' },
  });
  rules.push({
    answer: 'an approval that names another operation or amount',
    outcome: 'uncertain',
    source: `${NOT_DOCUMENTED}: not this operation's answer (a late one of an earlier call, a tool left running); the terminal is asked`,
  });
  rules.push({
    answer: OTHER_PAYMENT_KEY,
    outcome: 'uncertain',
    source:
      'shared/reference/humo-arcus2.md: a universal cancel takes no reference, the cashier keys the receipt number in at the pinpad; a slip naming another payment gave back that one, not this — flagged in the journal for an operator, never recorded as this payment given back',
  });
  return rules;
}

const statusUncertain = (codes: readonly string[], why: string): OutcomeRule[] => codes.map((c) => ({ answer: `status: code ${c}`, outcome: 'uncertain' as const, source: why }));

function refusalStatusRule(): OutcomeRule {
  return {
    answer: 'status: a documented refusal code',
    outcome: 'declined',
    source: `${CODES_DOC}, and the bridge protocol (docs/terminals.md): the terminal's recorded answer to this very request id was a refusal`,
    cite: bridgeEvidence('`status` returns the answer the terminal gave to this very request id, here a documented refusal code'),
  };
}

export const BRIDGE_OUTCOMES: OutcomeTable = table(
  'Terminal bridge protocol (UzCard PAX A35 adapter)',
  'Answers to an operation, and to `status` asked about it by request id when its answer was lost. A `202` counts once a second `status` agrees.',
  [
    {
      answer: 'link could not be opened or written',
      outcome: 'declined',
      source: 'PayBridge’s transport: the request never reached the terminal',
      cite: { evidence: 'the link was never opened or the request never written: no byte of it reached the terminal' },
    },
    { answer: 'no answer (timeout, link dropped)', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: the terminal may be running it; asked with \`status\`` },
    ...operationCodeRules(),
    {
      answer: 'status: approved, same operation and amount',
      outcome: 'paid',
      source: 'bridge protocol v1 (docs/terminals.md): the answer the terminal gave to this request id',
      cite: bridgeEvidence('`status` returns the answer the terminal gave to this very request id, here an approval of the same operation and amount'),
    },
    { answer: 'status: approved, another operation or amount', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: an answer that does not match the request proves nothing` },
    {
      answer: 'status: 202 (never performed)',
      outcome: 'not_found',
      source: 'bridge protocol v1 (docs/terminals.md): 202 to `status` means the terminal never performed `ref`',
      cite: bridgeEvidence('202 to `status` means the terminal never performed `ref` (the code’s FiscalBox meaning, “202 | Транзакция не найдена | Transaction not found”); counted only when a second `status` agrees'),
    },
    ...statusUncertain(['984'], `${CODES_DOC}: PIN pad busy — a terminal runs one dialogue at a time and answers busy while ours may still run; asked again later`),
    ...statusUncertain(NO_LINK_CODES, `${CODES_DOC}: no link, timeout or in progress; asked again later`),
    ...statusUncertain(SYSTEM_ERROR_CODES, `${CODES_DOC}: a system error; asked again later`),
    refusalStatusRule(),
    { answer: 'status: no answer (timeout, link down)', outcome: 'uncertain', source: `${NOT_DOCUMENTED}: asked again later` },
  ],
);

export const ARCUS2_OUTCOMES: OutcomeTable = table(
  'Arcus2 CommandLineTool (Humo on Ingenico)',
  'Answers to an operation (`rc.out`, `cheq.out`), and to print-last, Arcus2’s only way to learn what the pinpad last did: it cannot be asked about one request, so the last slip proves something only when it identifies this operation, or is an operation the journal knows was made before this one (nothing ran since).',
  [
    {
      answer: 'tool could not be started',
      outcome: 'declined',
      source: 'PayBridge: the CommandLineTool never ran, nothing reached the pinpad',
      cite: { evidence: 'the operating system refused to start the CommandLineTool: it never ran, so it never spoke to the pinpad' },
    },
    {
      answer: 'no fresh rc.out, or the tool timed out',
      outcome: 'uncertain',
      source: 'shared/reference/humo-arcus2.md, safe-call pattern: missing or stale files mean unknown, not failed; a killed tool may leave the pinpad running the dialogue',
    },
    ...operationCodeRules(),
    ...printLastRules(),
  ],
);

export const ARCCOM_OUTCOMES: OutcomeTable = table(
  'Arcus2 arccom.dll (Humo on Ingenico, through a helper process)',
  'Answers to an operation (the library’s `response_code`, RRN and slip keys), and to print-last, the library’s only way to show what the pinpad last did: like the command-line tool it cannot be asked about one request, so the last slip proves something only when it identifies this operation, or is an operation the journal knows was made before this one.',
  [
    {
      answer: 'helper could not be started, or an earlier call is still running',
      outcome: 'declined',
      source: 'PayBridge: the request was never written to the helper, nothing reached the pinpad',
      cite: { evidence: 'the request was never written to the helper process, so the library never called the pinpad' },
    },
    {
      answer: 'no response code, the call timed out, or the helper died during it',
      outcome: 'uncertain',
      source: 'shared/reference/humo-arcus2.md, safe-call pattern: a call that timed out or crashed may leave the pinpad running the dialogue; unknown, not failed',
    },
    ...operationCodeRules(),
    ...printLastRules(),
  ],
);

export const TERMINAL_TABLES: readonly OutcomeTable[] = [BRIDGE_OUTCOMES, ARCUS2_OUTCOMES, ARCCOM_OUTCOMES];
