/**
 * The sandbox's stand-in for Arcus2's CommandLineTool: run with `/o<op> /a<amount> /c860` in an
 * Arcus2 folder, it reads the folder's INI/cashreg.ini and the ops.ini it names to know what the op
 * code means and where to write, keeps the pinpad's state in arcus2-emulator.json, and writes the
 * slip and result files in cashreg.ini's charset like the real tool.
 *
 * A universal cancel asks the cashier for the receipt number at the pinpad; here `/n<receipt>` (or
 * `/r<rrn>`) stands for what the cashier keys in, and without either the emulated cashier keys in
 * the shift's last purchase. Cancel-last cancels the shift's last purchase without asking, as the
 * real operation does where DEF_OPDET_RESPONCE=YES.
 *
 * The pinpad outlives the tool: a purchase of 98400 is a dialogue at the pinpad that is approved
 * 5 s later even if this process is killed meanwhile. It is saved in the state file before the tool
 * waits; until it completes every invocation (print_last included) writes rc.out 984 and no
 * cheq.out, and once its time has passed whichever invocation comes first applies it.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { arcus2Files } from '../../terminals/humo/cashreg.js';
import { operationsNamed, readOpsIni, resolveOps, type Arcus2Op } from '../../terminals/humo/ops-ini.js';
import { EmulatedTerminal, SLOW_ANSWER_MS, TERMINAL_MAGIC, type PendingPurchase, type TerminalOutcome } from '../card-terminal/emulated-terminal.js';

const dir = process.cwd();
const args = new Map<string, string>();
for (const a of process.argv.slice(2)) if (/^\/[a-z]/i.test(a)) args.set(a[1]!.toLowerCase(), a.slice(2));

const files = arcus2Files({ work_dir: dir, cashreg_ini: join('INI', 'cashreg.ini') }, 'the sandbox Arcus2 folder');
const lines = readOpsIni(files.opsIni);
const { codes } = resolveOps(lines, {}, files.opsIni, 'the sandbox Arcus2 folder');
const cancelLast = lines.find((l) => operationsNamed(l.name).join() === 'cancel_last');
const op: Arcus2Op | 'cancel_last' | undefined =
  cancelLast && String(cancelLast.code) === args.get('o') ? 'cancel_last' : (Object.entries(codes) as [Arcus2Op, number][]).find(([, code]) => String(code) === args.get('o'))?.[0];
const amount = Number(args.get('a') ?? 0);
const stateFile = join(dir, 'arcus2-emulator.json');
const lockFile = join(dir, 'arcus2-emulator.lock');

function write(outcome: TerminalOutcome): void {
  writeFileSync(files.rcFile, iconv.encode(outcome.code, files.charset));
  if (outcome.slip) writeFileSync(files.cheqFile, iconv.encode(outcome.slip, files.charset));
}

/** The pinpad's saved state as far as the emulated cashier sees it (the receipts of the shift). */
interface SavedOperation {
  kind: string;
  amount: number;
  receipt: number;
  shift: number;
  returned: number;
}
function saved(): { shift: number; operations: SavedOperation[] } {
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8')) as { shift: number; operations: SavedOperation[] };
  } catch {
    return { shift: 1, operations: [] };
  }
}

/** The shift's last purchase not yet given back: what the emulated cashier keys in, and what cancel-last takes. */
function lastPurchase(): SavedOperation | undefined {
  const state = saved();
  return [...state.operations].reverse().find((o) => o.kind === 'purchase' && o.shift === state.shift && o.returned === 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * One invocation at a time touches the pinpad's state: a killed tool and the next one (or the
 * killed one's own wake-up) must not both apply a pending purchase. A lock left by a dead process is
 * taken over.
 */
async function locked<T>(fn: () => T): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = NaN;
      try {
        holder = Number(readFileSync(lockFile, 'utf8'));
      } catch {
        continue; // released meanwhile
      }
      // A lock without a pid yet is being written (unless its writer died a while ago); one whose holder is gone is stale.
      const orphan = holder > 0 ? !alive(holder) : Date.now() - (statSync(lockFile, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 1_000;
      if (orphan) rmSync(lockFile, { force: true });
      else if (attempt > 500) throw new Error(`the pinpad's state is locked by process ${holder}`);
      else await sleep(10);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

const started = await locked((): { outcome?: TerminalOutcome; dialogue?: PendingPurchase } => {
  const terminal = new EmulatedTerminal(stateFile, 'humo');
  // A dialogue still running at the pinpad: busy, whatever was asked.
  if (terminal.inDialogue()) return { outcome: terminal.bareAnswer('984') };
  // One that has completed since: it is recorded before anything else happens.
  terminal.settleDue();
  switch (op) {
    case 'purchase': {
      if (amount === TERMINAL_MAGIC.busyDialogue) {
        const begun = terminal.beginDialogue(amount, null, Date.now() + SLOW_ANSWER_MS);
        return 'code' in begun ? { outcome: begun } : { dialogue: begun };
      }
      return { outcome: terminal.purchase(amount, null) };
    }
    case 'cancel': {
      const keyedIn = args.get('r') || args.get('n') ? { rrn: args.get('r') || undefined, receipt: args.get('n') ? Number(args.get('n')) : undefined } : { receipt: lastPurchase()?.receipt };
      return { outcome: terminal.cancel(amount, keyedIn, null) };
    }
    case 'cancel_last': {
      const last = lastPurchase();
      return { outcome: last ? terminal.cancel(last.amount, { receipt: last.receipt }, null) : terminal.bareAnswer('902') };
    }
    case 'refund':
      return { outcome: terminal.refund(amount, args.get('r') ?? '', null) };
    case 'print_last_report':
      return { outcome: terminal.lastReport() };
    case 'close_shift':
      return { outcome: terminal.closeShift(null) };
    case 'print_last':
      return { outcome: terminal.lastSlip() };
    case 'x_report':
      return { outcome: terminal.xReport() };
    default:
      return { outcome: terminal.bareAnswer('902') };
  }
});

if (started.dialogue) {
  // The customer is at the pinpad; the dialogue ends at its time, with or without this process.
  const pending = started.dialogue;
  while (Date.now() < pending.completesAt) await sleep(pending.completesAt - Date.now());
  const outcome = await locked(() => {
    const terminal = new EmulatedTerminal(stateFile, 'humo');
    return terminal.settleDue() ?? terminal.answerFor(pending.id) ?? terminal.bareAnswer('984');
  });
  write(outcome);
} else if (started.outcome) {
  // The operation is done on the terminal; its answer comes late (or never, if the tool is killed meanwhile).
  if (op === 'purchase' && amount === TERMINAL_MAGIC.slow) await sleep(SLOW_ANSWER_MS);
  write(started.outcome);
}
