/**
 * The sandbox's stand-in for Arcus2's CommandLineTool: run with `/o<op> /a<amount> /c860` (and
 * `/r<rrn>` or `/n<receipt>` for a cancel) in an Arcus2 folder, it reads the folder's INI/ops.ini to
 * know what the op code means, keeps the pinpad's state in arcus2-emulator.json, and writes
 * cheq.out and rc.out in cp1251 like the real tool.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { readOpsIni, resolveOpCodes, type Arcus2Op } from '../../terminals/humo/ops-ini.js';
import { EmulatedTerminal, SLOW_ANSWER_MS, TERMINAL_MAGIC, type TerminalOutcome } from '../card-terminal/emulated-terminal.js';

const dir = process.cwd();
const args = new Map<string, string>();
for (const a of process.argv.slice(2)) if (/^\/[a-z]/i.test(a)) args.set(a[1]!.toLowerCase(), a.slice(2));

const { codes } = resolveOpCodes(readOpsIni(join(dir, 'INI', 'ops.ini')), {});
const op = (Object.entries(codes) as [Arcus2Op, number][]).find(([, code]) => String(code) === args.get('o'))?.[0];
const amount = Number(args.get('a') ?? 0);
const terminal = new EmulatedTerminal(join(dir, 'arcus2-emulator.json'), 'humo');

function write(outcome: TerminalOutcome): void {
  writeFileSync(join(dir, 'rc.out'), iconv.encode(outcome.code, 'cp1251'));
  if (outcome.slip) writeFileSync(join(dir, 'cheq.out'), iconv.encode(outcome.slip, 'cp1251'));
}

let outcome: TerminalOutcome;
switch (op) {
  case 'purchase':
    outcome = terminal.purchase(amount, null);
    break;
  case 'cancel':
    outcome = terminal.cancel(amount, { rrn: args.get('r') || undefined, receipt: args.get('n') ? Number(args.get('n')) : undefined }, null);
    break;
  case 'close_shift':
    outcome = terminal.closeShift(null);
    break;
  case 'print_last':
    outcome = terminal.lastSlip();
    break;
  default:
    outcome = { code: '902', slip: '', rrn: null, receipt: null, shift: null, authCode: null, terminalId: terminal.terminalId };
}
// The operation is done on the terminal; its answer comes late (or never, if the tool is killed meanwhile).
if (op === 'purchase' && amount === TERMINAL_MAGIC.slow) await new Promise((r) => setTimeout(r, SLOW_ANSWER_MS));
write(outcome);
