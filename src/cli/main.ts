#!/usr/bin/env node
import { Argument, Command, CommanderError, Option } from 'commander';
import { ConfigError, loadDotEnv } from '../config/load.js';
import { VERSION } from '../version.js';
import { PayBridgeClient } from './client.js';
import { configCheck } from './commands/config-check.js';
import { journalExport } from './commands/journal-export.js';
import { journalBackup } from './commands/journal-backup.js';
import { journalRestore } from './commands/journal-restore.js';
import { journalMigrate, type JournalMigrateOptions } from './commands/journal-migrate.js';
import { serviceInstall, serviceStatus, serviceUninstall, type ServiceOptions } from './commands/service.js';
import { terminalConformance, type ConformanceCliOptions } from './commands/terminal-conformance.js';
import { closeShift, giveBack, list, parseAmount, pay, reconcile, status, type Method } from './commands/payments.js';
import { CliExit, EXIT } from './exit-codes.js';
import { TRANSACTION_STATUSES } from '../payments/state-machine.js';
import { PAYMENT_METHODS } from '../payments/transaction.js';
import { cliLanguage, reconcileWallets } from './commands/reconcile-wallets.js';
import { xReport, type XReportOptions } from './commands/xreport.js';

// `paybridge journal export | head`: a reader that stops early is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.OK);
  throw err;
});

// The .env the service reads (in the folder it is started from) is the CLI's too: its PORT and token
// reach PayBridge, and `config check` judges the configuration `start` would run with.
try {
  loadDotEnv(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`paybridge: ${err.message}\n`);
  process.exit(EXIT.CONFIG);
}

const EXIT_CODES = `
Exit codes:
  0   done
  1   refused: PayBridge, the provider or the pinpad said no (nothing was charged), or a check failed
  2   bad arguments
  3   outcome not known yet (pending/unknown): check with "paybridge status", do not retry blindly
  4   PayBridge cannot be reached
  5   the API token was refused
  65  journal restore (and start): not a PayBridge journal, damaged, or newer than this PayBridge
  73  journal backup: the copy cannot be written, or the file exists
  75  journal restore: PayBridge runs on the journal; stop it first
  78  the configuration is invalid`;

interface Globals {
  url: string;
  token?: string;
  json: boolean;
  lang?: string;
}

const program = new Command('paybridge')
  .description('PayBridge: take and manage payments of a shop’s cash register (Click, Payme, Uzum, Humo, UzCard).')
  .version(VERSION)
  .addOption(new Option('--url <url>', 'PayBridge to talk to').env('PAYBRIDGE_URL').default(`http://127.0.0.1:${process.env.PORT || '8080'}`))
  .addOption(new Option('--token <token>', 'API token (Authorization: Bearer)').env('PAYBRIDGE_API_TOKEN'))
  .option('--json', 'print PayBridge’s envelope as it came, for scripts', false)
  .addOption(new Option('--lang <language>', 'language of error messages').choices(['ru', 'uz', 'en']))
  .addHelpText('after', EXIT_CODES)
  .showHelpAfterError()
  .exitOverride();

const globals = () => program.opts<Globals>();
const client = () => new PayBridgeClient({ url: globals().url, token: globals().token, lang: globals().lang });
const out = () => ({ json: globals().json });
let exitCode: number = EXIT.OK;
/** Wraps a command's action: its result is the process's exit code. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const run = <A extends any[]>(work: (...args: A) => Promise<number>) => async (...args: A) => {
  exitCode = await work(...args);
};

program
  .command('start')
  .description('run PayBridge (as npm start); sandbox mode without a configuration file')
  .option('--config <file>', 'configuration file (PAYBRIDGE_CONFIG)')
  .option('--host <host>', 'listen address (HOST)')
  .option('--port <port>', 'listen port (PORT)')
  .action(async (o: { config?: string; host?: string; port?: string }) => {
    const { runService } = await import('../service.js');
    await runService({ ...process.env, ...(o.config ? { PAYBRIDGE_CONFIG: o.config } : {}), ...(o.host ? { HOST: o.host } : {}), ...(o.port ? { PORT: o.port } : {}) });
    exitCode = -1; // the service runs until a signal
  });

program
  .command('sandbox')
  .description('run the Click, Payme, UzCard and Uzum emulators alone (ports 9101, 9102, 9103, 9104)')
  .action(async () => {
    const { runSandbox } = await import('../sandbox/run.js');
    await runSandbox();
    exitCode = -1;
  });

program
  .command('pay')
  .description('take a payment: amount in tiyin (or --soum)')
  .addArgument(new Argument('<method>', 'click, payme, uzum, humo or uzcard').choices(['click', 'payme', 'uzum', 'humo', 'uzcard']))
  .argument('[amount]', 'amount in tiyin (1 soum = 100 tiyin)')
  .option('--soum <amount>', 'the amount in soum instead, e.g. 12.50')
  .option('--qr <code>', 'click/payme/uzum: the code scanned from the customer’s app')
  .option('--terminal <id>', 'humo/uzcard: a configured terminal (the default one otherwise)')
  .option('--idempotency-key <key>', 'retry a payment safely: the same key never charges twice (one is made up when absent)')
  .action(
    run(async (method: Method, amount: string | undefined, o: { soum?: string; qr?: string; terminal?: string; idempotencyKey?: string }) =>
      pay(client(), method, parseAmount(amount, o.soum), o, out()),
    )
  );

for (const [name, description] of [
  ['cancel', 'cancel a payment (Humo within its shift; Click/Payme whole payments)'],
  ['refund', 'give a payment’s money back, whole or in part (UzCard by RRN; any method)'],
] as const) {
  program
    .command(name)
    .description(description)
    .argument('<transaction_id>', 'the payment’s transaction id')
    .option('--amount <tiyin>', 'part of it, in tiyin (everything that remains when absent)')
    .option('--soum <amount>', 'part of it, in soum')
    .option('--operator <name>', 'who gives the money back (kept in the log)')
    .action(
      run(async (id: string, o: { amount?: string; soum?: string; operator?: string }) =>
        giveBack(client(), id, o.amount === undefined && o.soum === undefined ? undefined : parseAmount(o.amount, o.soum), o.operator, out()),
      ),
    );
}

program
  .command('status')
  .description('one transaction with its timeline, a payment\'s give-backs or a give-back\'s payment (exit 3 while it is pending or unknown)')
  .argument('<transaction_id>')
  .action(run(async (id: string) => status(client(), id, out())));

program
  .command('list')
  .description('the journal, newest first')
  // Choices: a wrong one is bad arguments (exit 2), answered with the accepted ones, not sent to PayBridge.
  .addOption(new Option('--method <method>', 'the payment method').choices(PAYMENT_METHODS))
  .addOption(new Option('--status <status>', 'the transaction’s status').choices(TRANSACTION_STATUSES))
  .addOption(new Option('--kind <kind>', 'payment, or give_back (cancels and refunds)').choices(['payment', 'give_back']))
  .option('--date <date>', 'created on this day of the shop (YYYY-MM-DD, in its time zone)')
  .option('--from <date>', 'created at or after (YYYY-MM-DD: the start of that shop day, or ISO 8601)')
  .option('--to <date>', 'created before')
  .option('--till <till>', 'taken at this till (instance.till), of this PayBridge’s shop unless --shop')
  .option('--shop <shop>', 'taken in this shop (instance.shop); on a chain’s shared journal')
  .option('--limit <n>', 'how many (1–500)', '20')
  .option('--cursor <cursor>', 'the next page')
  .action(run(async (o: Record<string, string | undefined>) => list(client(), o, out())));

program
  .command('close')
  .description('close a terminal’s shift and reconcile it against the journal (exit 1 on a mismatch)')
  .addArgument(new Argument('<method>', 'humo or uzcard').choices(['humo', 'uzcard']))
  .option('--terminal <id>', 'a configured terminal (the default one otherwise)')
  .action(run(async (method: 'humo' | 'uzcard', o: { terminal?: string }) => closeShift(client(), method, o.terminal, out())));

program
  .command('xreport')
  .alias('summary')
  .description('X-report: a shop day’s takings so far per method, of the shop or one till, nothing closed (in the shop’s language); `xreport humo|uzcard`: the terminal’s own X-report of its open shift against the journal (exit 1 when they differ)')
  .addArgument(new Argument('[method]', 'humo or uzcard: the terminal’s X-report instead').choices(['humo', 'uzcard']))
  .option('--date <date>', 'the shop day, YYYY-MM-DD (today when absent)')
  .option('--till <till>', 'one till (instance.till), of this PayBridge’s shop unless --shop')
  .option('--shop <shop>', 'another shop than this PayBridge’s (instance.shop)')
  .option('--terminal <id>', 'with a method: a configured terminal (the default one otherwise)')
  .action(run(async (method: 'humo' | 'uzcard' | undefined, o: XReportOptions) => xReport(client(), method, o, globals().lang, globals().json)));

const reconcileCommand = program
  .command('reconcile')
  .description('settle pending and unknown payments now by asking the providers and terminals (exit 3 when some stay open); `reconcile wallets`: a day against the wallets’ records')
  .action(run(async () => reconcile(client(), out())));
reconcileCommand
  .command('wallets')
  .description('reconcile a shop day with Click, Payme and Uzum: exit 0 all match, 1 differences, 3 some payments could not be confirmed')
  .option('--date <date>', 'the shop day: YYYY-MM-DD, today or yesterday', 'today')
  .option('--methods <list>', 'click,payme,uzum (every configured wallet when absent)')
  .action(
    run(async (o: { date: string; methods?: string }) =>
      reconcileWallets(client(), o.date, o.methods?.split(',').map((m) => m.trim()).filter(Boolean), cliLanguage(globals().lang), globals().json),
    ),
  );

const config = program.command('config').description('the configuration file');
config
  .command('check')
  .description('validate the file and reach each provider and terminal with its credentials, charging nothing')
  .option('--config <file>', 'configuration file (PAYBRIDGE_CONFIG)')
  .action(run(async (o: { config?: string }) => configCheck(o.config)));

const service = program.command('service').description('run PayBridge as a service of this computer: systemd on Linux, WinSW on Windows (docs/deployment.md)');
const serviceTarget = (c: Command) =>
  c
    .option('--dry-run', 'print what would be done and the service definition; change nothing', false)
    .option('--root <dir>', 'write the files under this folder instead of / and run no system command (to inspect or package them)')
    .addOption(new Option('--platform <platform>', 'the target system (another one only with --dry-run or --root)').choices(['linux', 'win32']));
serviceTarget(service.command('install'))
  .description('register and start PayBridge as a service: a dedicated account, the configuration and data in the system’s places, restart on failure, a stop that lets payments finish')
  .option('--config <file>', 'the configuration to install (kept when one is installed already; the example otherwise, and the service is not started)')
  .option('--winsw <exe>', 'Windows: the WinSW executable you downloaded (WinSW-x64.exe)')
  .option('--node <path>', 'the node binary the service runs (default: the one running this command)')
  .option('--install-dir <dir>', 'the PayBridge folder the service runs (default: this one)')
  .action(run(async (o: ServiceOptions) => serviceInstall(o)));
serviceTarget(service.command('uninstall'))
  .description('stop (gracefully) and remove the service; the configuration, the journal and the account are kept')
  .action(run(async (o: ServiceOptions) => serviceUninstall(o)));
service
  .command('status')
  .description('the service as the system sees it, and PayBridge’s /health (exit 4 when it cannot be reached)')
  .action(run(async () => serviceStatus({ url: process.env.PAYBRIDGE_URL })));

const terminal = program.command('terminal').description('a card terminal, reached directly (not through PayBridge)');
terminal
  .command('conformance')
  .description('drive a UzCard adapter through the bridge protocol’s scenarios in its test mode (docs/bridge-protocol.md); exit 1 on any failure')
  .option('--tcp <host:port>', 'the adapter listens on TCP')
  .option('--serial <path>', 'the adapter is on a serial port (/dev/ttyACM0, COM3)')
  .option('--baud-rate <n>', 'serial speed', '115200')
  .option('--connect-timeout-ms <ms>', 'opening the link', '5000')
  .option('--answer-timeout-ms <ms>', 'waiting for an answer, restarted by progress messages (as bridge.answer_timeout_ms)', '180000')
  .option('--poll-ms <ms>', 'pause between status questions while the adapter is busy', '1000')
  .action(run(async (o: ConformanceCliOptions) => terminalConformance(o, globals().json)));

const journal = program.command('journal').description('the journal, read directly (PayBridge may be running)');
journal
  .command('export')
  .description('the accountant’s export of shop days: one row per payment and per give-back (linked to its payment), amounts in soum, times on the shop’s clock; CSV for Excel in the shop’s language (--lang), or JSON')
  .option('--date <date>', 'one shop day: YYYY-MM-DD, today or yesterday (today when no date is given)')
  .option('--from <date>', 'the first shop day (YYYY-MM-DD, today or yesterday)')
  .option('--to <date>', 'the last shop day, included (today when absent)')
  .option('--till <till>', 'only what this till took (instance.till)')
  .option('--shop <shop>', 'only what this shop took (instance.shop; a chain’s shared journal)')
  .addOption(new Option('--format <format>', 'csv (for a spreadsheet) or json (for scripts: tiyin, UTC)').choices(['csv', 'json']).default('csv'))
  .option('--out <file>', 'write to a file instead of stdout')
  .option('--config <file>', 'configuration file naming the journal, the shop’s time zone and language (PAYBRIDGE_CONFIG)')
  .action(
    run(async (o: { date?: string; from?: string; to?: string; till?: string; shop?: string; format: string; out?: string; config?: string }) =>
      journalExport({ ...o, lang: globals().lang }),
    ),
  );

journal
  .command('migrate')
  .description('copy a till’s SQLite journal into the chain’s PostgreSQL journal; safe to run again (nothing is copied twice)')
  .addOption(new Option('--from <engine>', 'the engine copied from').choices(['sqlite']).makeOptionMandatory())
  .addOption(new Option('--to <engine>', 'the engine copied into').choices(['postgres']).makeOptionMandatory())
  .option('--sqlite <file>', 'the SQLite journal (default: the configuration’s journal.path)')
  .option('--database <url>', 'the PostgreSQL journal, postgres://… (default: PAYBRIDGE_JOURNAL_URL, then journal.url)')
  .option('--shop <name>', 'recorded on copied transactions that name no shop (default: instance.shop)')
  .option('--till <name>', 'recorded on copied transactions that name no till (default: instance.till)')
  .option('--config <file>', 'configuration file (PAYBRIDGE_CONFIG)')
  .action(run(async (o: JournalMigrateOptions) => journalMigrate(o)));

journal
  .command('backup')
  .description('a consistent copy of the SQLite journal, taken while PayBridge runs (a PostgreSQL journal: says how to use pg_dump)')
  .argument('<file>', 'the copy to write (never overwritten)')
  .option('--config <file>', 'configuration file naming the journal (PAYBRIDGE_CONFIG)')
  .action(run(async (file: string, o: { config?: string }) => journalBackup(file, o)));

journal
  .command('restore')
  .description('put a backup in the SQLite journal\'s place, PayBridge stopped; the replaced journal is kept beside it (exit 75 while PayBridge runs, 65 not a journal)')
  .argument('<file>', 'a backup made by `journal backup`')
  .option('--config <file>', 'configuration file naming the journal (PAYBRIDGE_CONFIG)')
  .action(run(async (file: string, o: { config?: string }) => journalRestore(file, o)));

try {
  await program.parseAsync(process.argv);
  if (exitCode >= 0) process.exitCode = exitCode;
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  } else if (err instanceof CliExit) {
    process.stderr.write(`paybridge: ${err.message}\n`);
    process.exitCode = err.code;
  } else {
    process.stderr.write(`paybridge: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
