import { Type, type Static } from '../lib/typebox.js';
import { DEFAULT_SHOP_TIMEZONE } from '../lib/shop-time.js';

const strict = { additionalProperties: false } as const;
const ms = (defaultValue: number, description: string) => Type.Integer({ minimum: 1, maximum: 3_600_000, default: defaultValue, description });

const timeoutsSchema = (provider: string) =>
  Type.Object(
    {
      connect_ms: ms(5_000, `Establishing the connection to ${provider}.`),
      response_ms: ms(10_000, `Waiting for ${provider}'s answer once the request is sent (public POS integrations use 7–30 s).`),
    },
    { ...strict, default: {} },
  );

/** What every QR provider shares: timeouts, and how long an uncertain outcome is chased. */
const providerPolicy = (provider: string) => ({
  timeouts: timeoutsSchema(provider),
  poll_interval_ms: ms(1_000, 'Pause between status queries while a payment is processing.'),
  status_deadline_ms: ms(45_000, 'How long PayBridge keeps asking for a final status before answering that the outcome is unknown.'),
  not_found_after_ms: ms(
    10_000,
    'A status lookup that cannot find a payment proves nothing was charged only when asked at least this long after the charge was sent, and confirmed by a second lookup (status APIs lag behind the charge).',
  ),
});

export const ClickConfigSchema = Type.Object(
  {
    base_url: Type.String({ pattern: '^https?://[^\\s]+$', default: 'https://api.click.uz/v2/merchant/', description: 'CLICK merchant API base URL.' }),
    merchant_id: Type.Optional(Type.Integer({ minimum: 1, description: 'Your CLICK merchant id (for reference; not sent on Pass calls).' })),
    service_id: Type.Integer({ minimum: 1, description: 'CLICK service id the Pass payments belong to.' }),
    merchant_user_id: Type.String({ minLength: 1, description: 'CLICK merchant user id, the first part of the Auth header.' }),
    secret_key: Type.String({ minLength: 1, description: 'CLICK secret key; only its SHA-1 digest with a timestamp ever leaves PayBridge.' }),
    cashbox_code: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'The till id CLICK shows in its reports.' })),
    partial_reversal: Type.Boolean({ default: false, description: 'CLICK confirmed partial reversal for this service (payment/partial_reversal).' }),
    confirm_mode: Type.Boolean({
      default: true,
      description:
        'CLICK’s confirmation mode: switched on for the service before every charge and each successful charge confirmed at once. CLICK cancels an unconfirmed payment 30 s after creating it, which settles a charge whose answer was lost (never confirmed → nothing charged). Off: such a charge stays unknown for an operator.',
    }),
    ...providerPolicy('CLICK'),
  },
  strict,
);

export const PAYME_URLS = { production: 'https://checkout.paycom.uz/api', test: 'https://checkout.test.paycom.uz/api' } as const;

export const PaymeConfigSchema = Type.Object(
  {
    environment: Type.Union([Type.Literal('production'), Type.Literal('test')], { default: 'production', description: 'Which Payme URL to use.' }),
    url: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$', description: 'Overrides the URL of the environment.' })),
    cashbox_id: Type.String({ minLength: 1, description: 'Id of the "Payme GO" cashbox.' }),
    cashbox_key: Type.String({ minLength: 1, description: 'Key of that cashbox; sent only in the X-Auth header.' }),
    account_field: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z_][A-Za-z0-9_.]{0,63}$',
        default: 'order_id',
        description: 'The receipt’s account field that carries PayBridge’s transaction id: the field the cashbox is set up with in Payme’s business cabinet (public Payme Go till code uses order_id).',
      }),
    ),
    ...providerPolicy('Payme'),
  },
  strict,
);

/**
 * How Uzum's Authorization timestamp is read. The contract: "The UNIX timestamp in milliseconds for the
 * UTC +5 time zone (regional time)". A UNIX timestamp names an instant whatever the zone ("utc": epoch
 * milliseconds as they are); read literally as Tashkent wall-clock time counted as if it were UTC, it is
 * five hours more ("utc+5"). `paybridge config check` asks Uzum which one it accepts.
 */
export const UzumTimestampSchema = Type.Union([Type.Literal('utc'), Type.Literal('utc+5')], {
  default: 'utc',
  description:
    'How the Authorization timestamp is made: "utc" = UNIX epoch milliseconds (the same instant in every zone; the default), "utc+5" = epoch milliseconds plus 5 hours (Tashkent wall-clock time counted as UTC), for an Uzum that reads the contract’s “milliseconds for the UTC +5 time zone” so. Uzum refuses a timestamp more than 50 s off its own (error_code 403); `paybridge config check` tells which reading this merchant’s Uzum accepts.',
});
export type UzumTimestampReading = Static<typeof UzumTimestampSchema>;

export const UzumConfigSchema = Type.Object(
  {
    base_url: Type.String({
      pattern: '^https?://[^\\s]+$',
      default: 'https://mobile.apelsin.uz/api/apelsin-pay/merchant/',
      description: 'Uzum Fast Pay base URL (the contract’s example host); v2/payment, payment/status, … are relative to it.',
    }),
    service_id: Type.Integer({ minimum: 1, description: 'Uzum service_id: the branch the payments belong to.' }),
    merchant_service_user_id: Type.String({ minLength: 1, pattern: '^\\d+$', description: 'Uzum merchant_service_user_id (digits): this till, the first part of the Authorization header.' }),
    secret_key: Type.String({ minLength: 1, description: 'Uzum secret_key; only its SHA-1 digest with a timestamp ever leaves PayBridge.' }),
    cashbox_code: Type.String({ minLength: 1, maxLength: 64, description: 'The shop’s id of its fiscal cash register (ККМ), sent as cashbox_code.' }),
    timestamp: UzumTimestampSchema,
    ...providerPolicy('Uzum'),
  },
  strict,
);

/** Providers in sandbox mode: everything optional, the emulators supply the credentials. */
export const SandboxClickConfigSchema = Type.Partial(ClickConfigSchema, strict);
export const SandboxPaymeConfigSchema = Type.Partial(PaymeConfigSchema, strict);
export const SandboxUzumConfigSchema = Type.Partial(UzumConfigSchema, strict);

/** An ops.ini line by its op class and op id. */
const classPin = () => Type.Optional(Type.Object({ class: Type.Integer({ minimum: 0 }), id: Type.Integer({ minimum: 0 }) }, strict));

export const Arcus2ConfigSchema = Type.Object(
  {
    command: Type.String({ minLength: 1, description: 'Arcus2 CommandLineTool (C:\\Arcus2\\CommandLineTool\\bin\\CommandLineTool.exe).' }),
    args: Type.Array(Type.String(), { default: [], description: 'Arguments before the operation’s own.' }),
    work_dir: Type.String({ minLength: 1, description: 'The Arcus2 folder (C:\\Arcus2): the tool runs there and writes cheq.out / rc.out there.' }),
    cashreg_ini: Type.String({
      minLength: 1,
      default: 'INI/cashreg.ini',
      description: 'Arcus2’s own configuration, relative to work_dir: CHEQ_FILE, RESULT_FILE, OPCHARSET/PPCHARSET, OPERATION_INI_FILE and RC_CONVERT_FILE/USEORIGINALRC are read from it; the settings below override it.',
    }),
    cheq_file: Type.Optional(Type.String({ minLength: 1, description: 'Overrides cashreg.ini’s CHEQ_FILE (default cheq.out), relative to work_dir.' })),
    rc_file: Type.Optional(Type.String({ minLength: 1, description: 'Overrides cashreg.ini’s RESULT_FILE (default rc.out), relative to work_dir.' })),
    charset: Type.Optional(Type.String({ minLength: 1, description: 'Overrides cashreg.ini’s OPCHARSET/PPCHARSET for cheq.out and rc.out: CP1251, CP866 or UTF-8 (ops.ini is read as cp1251, or UTF-8 with a BOM).' })),
    ops_ini: Type.String({
      minLength: 1,
      default: 'INI/ops.ini',
      description: 'The site’s ops.ini, relative to work_dir. Left at this default, cashreg.ini’s OPERATION_INI_FILE (beside cashreg.ini) wins where it is set.',
    }),
    ops: Type.Object(
      {
        purchase: Type.Optional(Type.Integer({ minimum: 0 })),
        cancel: Type.Optional(Type.Integer({ minimum: 0, description: 'Universal cancel (the pinpad asks which receipt), never cancel-last.' })),
        refund: Type.Optional(Type.Integer({ minimum: 0 })),
        close_shift: Type.Optional(Type.Integer({ minimum: 0 })),
        print_last: Type.Optional(Type.Integer({ minimum: 0 })),
        print_last_report: Type.Optional(Type.Integer({ minimum: 0 })),
        x_report: Type.Optional(Type.Integer({ minimum: 0 })),
      },
      { ...strict, default: {}, description: 'Op codes that override what ops.ini says.' },
    ),
    ops_by_class: Type.Object(
      {
        purchase: classPin(),
        cancel: classPin(),
        refund: classPin(),
        close_shift: classPin(),
        print_last: classPin(),
        print_last_report: classPin(),
        x_report: classPin(),
      },
      { ...strict, default: {}, description: 'Operations pinned by the op class and op id of their ops.ini line (they do not change between installs; the code may).' },
    ),
    cancel_args: Type.Array(Type.String(), {
      default: [],
      description: 'Only where the site’s tool takes a reference for a cancel: arguments added, {rrn}, {receipt} and {amount} replaced. Empty: universal cancel, the cashier keys the receipt number in on the pinpad.',
    }),
    refund_args: Type.Array(Type.String(), { default: [], description: 'The same for a refund.' }),
    timeout_ms: ms(180_000, 'One operation, the customer at the pinpad included.'),
  },
  strict,
);

export const ArccomConfigSchema = Type.Object(
  {
    library: Type.String({ minLength: 1, description: 'Arcus2’s arccom.dll (C:\\Arcus2\\DLL\\arccom.dll); 32-bit, so run by a 32-bit `node` on Windows.' }),
    node: Type.Optional(
      Type.String({ minLength: 1, description: 'The Node that runs the helper process holding the library: on Windows a 32-bit (win-x86) node.exe. Default: the Node running PayBridge.' }),
    ),
    helper: Type.Optional(Type.String({ minLength: 1, description: 'The helper script, where a deployment moved it (default: src/terminals/arccom/helper.mjs of this package).' })),
    work_dir: Type.Optional(Type.String({ minLength: 1, description: 'The library’s working directory (it reads INI\\cashreg.ini from there). Default: the library’s folder.' })),
    calling_convention: Type.Union([Type.Literal('cdecl'), Type.Literal('stdcall')], {
      default: 'stdcall',
      description: 'How the DLL’s functions are called on 32-bit Windows; not published (unconfirmed). Ignored on 64-bit and Linux.',
    }),
    ops: Type.Object(
      {
        purchase: Type.Integer({ minimum: 0 }),
        cancel_by_link: Type.Optional(Type.Integer({ minimum: 0, description: 'Cancel by link: the payment’s RRN (`transaction_id`) and amount.' })),
        universal_cancel: Type.Optional(Type.Integer({ minimum: 0, description: 'The pinpad asks the cashier which receipt; never cancel-last.' })),
        refund: Type.Optional(Type.Integer({ minimum: 0 })),
        close_shift: Type.Integer({ minimum: 0 }),
        x_report: Type.Optional(Type.Integer({ minimum: 0 })),
        print_last: Type.Integer({ minimum: 0 }),
        print_last_report: Type.Optional(Type.Integer({ minimum: 0 })),
      },
      { ...strict, description: 'The site’s op codes from its ops.ini (every install numbers them its own way).' },
    ),
    keys: Type.Object(
      {
        amount: Type.String({ minLength: 1, default: 'amount' }),
        currency: Type.String({ minLength: 1, default: 'currency' }),
        rrn: Type.String({ minLength: 1, default: 'transaction_id' }),
        response_code: Type.String({ minLength: 1, default: 'response_code' }),
        text_message: Type.String({ minLength: 1, default: 'text_message' }),
        receipt_number: Type.String({ minLength: 1, default: 'receipt_number', description: 'Not published (unconfirmed); the slip’s «Чек N» is read where the key gives nothing.' }),
        slip: Type.String({ minLength: 1, default: 'slip', description: 'Not published (unconfirmed).' }),
      },
      { ...strict, default: {}, description: 'The library’s key names.' },
    ),
    charset: Type.String({ minLength: 1, default: 'cp1251', description: 'Charset of the library’s text values (the slip).' }),
    operation_timeout_ms: ms(180_000, 'One operation, the customer at the pinpad included.'),
    start_timeout_ms: ms(30_000, 'Starting the helper process and loading the library.'),
    abandon_ms: ms(120_000, 'After an operation timed out, how long its library call may still run before the helper is killed (the pinpad stays busy meanwhile).'),
  },
  strict,
);

export const BridgeConfigSchema = Type.Object(
  {
    transport: Type.Union([Type.Literal('tcp'), Type.Literal('serial')]),
    host: Type.Optional(Type.String({ minLength: 1 })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    path: Type.Optional(Type.String({ minLength: 1, description: 'Serial device: COM3, /dev/ttyUSB0, /dev/ttyACM0.' })),
    baud_rate: Type.Integer({ minimum: 1200, maximum: 921_600, default: 115_200 }),
    connect_timeout_ms: ms(5_000, 'Opening the link.'),
    answer_timeout_ms: ms(180_000, 'Waiting for the final answer; progress messages restart it.'),
  },
  strict,
);

export const TerminalConfigSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'The name a request may give in `terminal`.' }),
    method: Type.Union([Type.Literal('humo'), Type.Literal('uzcard')]),
    default: Type.Boolean({ default: false, description: 'The terminal used when a request names none.' }),
    driver: Type.Union([Type.Literal('arcus2'), Type.Literal('arccom'), Type.Literal('bridge')]),
    arcus2: Type.Optional(Arcus2ConfigSchema),
    arccom: Type.Optional(ArccomConfigSchema),
    bridge: Type.Optional(BridgeConfigSchema),
  },
  strict,
);

export const ConfigSchema = Type.Object(
  {
    mode: Type.Union([Type.Literal('sandbox'), Type.Literal('production')], {
      default: 'sandbox',
      description: 'sandbox: built-in emulators, no real money. production: the real providers from this file.',
    }),
    server: Type.Object(
      {
        host: Type.String({ minLength: 1, default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
        body_limit_bytes: Type.Integer({ minimum: 256, maximum: 1_048_576, default: 16_384 }),
        shutdown_grace_ms: ms(30_000, 'On SIGINT/SIGTERM, how long in-flight payments may take to finish.'),
        request_timeout_ms: Type.Integer({
          minimum: 100,
          maximum: 600_000,
          default: 30_000,
          description: 'A request whose headers and body have not arrived whole within this is cut off (a till sends a few hundred bytes at once). Handling time is not counted.',
        }),
        api_token: Type.Optional(
          Type.String({
            minLength: 16,
            maxLength: 256,
            pattern: '^[\\x21-\\x7e]+$',
            description: 'Bearer token every request must carry (Authorization: Bearer <token>). Required when host is not a loopback address; env PAYBRIDGE_API_TOKEN.',
          }),
        ),
        cors_origins: Type.Array(Type.String({ minLength: 1 }), {
          default: [],
          description: 'Origins of browser-based POS allowed to call PayBridge (CORS); empty: CORS off.',
        }),
      },
      { ...strict, default: {} },
    ),
    language: Type.Union([Type.Literal('ru'), Type.Literal('uz'), Type.Literal('en')], {
      default: 'ru',
      description: 'Language of error messages for cashiers and of the console; a request may ask for another with Accept-Language.',
    }),
    data_dir: Type.String({ minLength: 1, default: './data', description: 'Folder of the embedded journal.' }),
    journal: Type.Object(
      {
        engine: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')], {
          default: 'sqlite',
          description: 'sqlite: one file next to this PayBridge (one till). postgres: one database shared by every till of a chain (journal.url; instance.shop and instance.till required).',
        }),
        url: Type.Optional(
          Type.String({
            pattern: '^postgres(ql)?://\\S+$',
            description: 'postgres://user:password@host:5432/database, required with engine postgres; env PAYBRIDGE_JOURNAL_URL. Its password is never logged.',
          }),
        ),
        pool_size: Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'postgres: most connections this PayBridge holds open.' }),
        connect_timeout_ms: ms(5_000, 'postgres: how long a write waits for a connection before the payment is refused.'),
        path: Type.Optional(Type.String({ minLength: 1, description: 'Journal file; default <data_dir>/journal.sqlite.' })),
        sqlite_driver: Type.Union([Type.Literal('auto'), Type.Literal('better-sqlite3'), Type.Literal('node:sqlite')], {
          default: 'auto',
          description: 'auto: better-sqlite3 on Node 20/22, node:sqlite on Node 24 and later.',
        }),
        low_space_mb: Type.Integer({
          minimum: 0,
          default: 200,
          description: 'sqlite: free space on the journal\'s volume (MiB) below which /health, /metrics and the console warn; 0: never. When the disk is full, payments are refused (JOURNAL_UNAVAILABLE) until space is freed.',
        }),
      },
      { ...strict, default: {} },
    ),
    instance: Type.Object(
      {
        id: Type.Optional(
          Type.String({ pattern: '^[\\x21-\\x7e]{1,128}$', description: 'This PayBridge process among those sharing a journal; default <hostname>:<pid>.' }),
        ),
        shop: Type.Optional(
          Type.String({ minLength: 1, maxLength: 64, description: 'The shop this PayBridge serves, recorded on every transaction (filter: ?shop=); with its till, whose Idempotency-Keys these are. Required with journal.engine postgres.' }),
        ),
        till: Type.Optional(
          Type.String({ minLength: 1, maxLength: 64, description: 'The till (cash register) it serves, recorded on every transaction (filter: ?till=); with its shop, whose Idempotency-Keys these are. Required with journal.engine postgres.' }),
        ),
      },
      { ...strict, default: {} },
    ),
    log: Type.Object(
      {
        level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
        format: Type.Union([Type.Literal('auto'), Type.Literal('pretty'), Type.Literal('json')], {
          default: 'auto',
          description: 'Lines on stdout: pretty (coloured on a terminal) or JSON; auto is pretty on a terminal, JSON otherwise (a service manager, a pipe).',
        }),
        file: Type.Optional(
          Type.String({ minLength: 1, description: 'Also write JSON lines to this file (relative to the working directory), rotated by file_max_size and file_frequency.' }),
        ),
        file_max_size: Type.String({ pattern: '^[1-9][0-9]*[kmg]$', default: '10m', description: 'Rotate the log file when it reaches this size: k, m or g.' }),
        file_frequency: Type.Union([Type.Literal('daily'), Type.Literal('hourly')], { default: 'daily', description: 'Start a new log file this often too.' }),
        file_keep: Type.Integer({ minimum: 1, maximum: 1000, default: 14, description: 'Rotated log files kept besides the current one; older ones are deleted.' }),
      },
      { ...strict, default: {} },
    ),
    limits: Type.Object(
      {
        max_amount_tiyin: Type.Integer({
          minimum: 1,
          maximum: Number.MAX_SAFE_INTEGER,
          default: 10_000_000_000,
          description: 'Largest accepted amount in tiyin (default 100 000 000 soum).',
        }),
        max_qr_code_length: Type.Integer({ minimum: 8, maximum: 4096, default: 512 }),
      },
      { ...strict, default: {} },
    ),
    shop: Type.Object(
      {
        inn: Type.Optional(Type.String({ pattern: '^\\d{9}(\\d{5})?$', description: 'The shop\'s taxpayer number (ИНН, 9 digits, or ПИНФЛ, 14).' })),
        kkm_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Fiscal module (ККМ) id, echoed in Payme answers.' })),
        device_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Device id, echoed in Payme answers.' })),
        timezone: Type.String({
          minLength: 1,
          maxLength: 64,
          default: DEFAULT_SHOP_TIMEZONE,
          description: 'The shop\'s IANA time zone: its days and hours in the summary, the date filters, the console and the CLI.',
        }),
      },
      { ...strict, default: {} },
    ),
    fiscal: Type.Object(
      {
        allow_foreign_payment_ids: Type.Boolean({ default: false, description: 'Accept fiscal hand-offs for payment ids this PayBridge did not take.' }),
        retry_initial_ms: ms(2_000, 'First pause before retrying a hand-off that failed on the network.'),
        retry_max_ms: ms(300_000, 'Longest pause between retries (the pause doubles up to it).'),
        sweep_interval_ms: ms(1_000, 'How often pending hand-offs are looked for.'),
      },
      { ...strict, default: {} },
    ),
    idempotency: Type.Object(
      {
        key_ttl_ms: Type.Integer({ minimum: 60_000, maximum: 31 * 86_400_000, default: 86_400_000, description: 'How long an Idempotency-Key and its answer are kept (24 h by default); must exceed 2 × wait_ms + 2 × the longest operation the timeouts allow (checked at start).' }),
        wait_ms: ms(30_000, 'How long a retry waits for the first request with its key before answering "in progress".'),
        qr_retry_window_ms: ms(600_000, 'The same QR code and amount again within this window is a retry of the first payment.'),
      },
      { ...strict, default: {} },
    ),
    recovery: Type.Object(
      {
        interval_ms: ms(30_000, 'How often transactions left pending or unknown are looked at again.'),
        grace_ms: ms(
          120_000,
          'How old a pending transaction must be before recovery takes it over; also the lease of the claim a request holds on the transaction it is making, renewed every third of it (at least 60).',
        ),
        claim_ms: ms(
          600_000,
          'How long a PayBridge holds the transactions it is settling; another PayBridge on the same journal takes them over after that if it died. Must exceed the longest settle of one transaction the timeouts allow (checked at start, see docs/deployment.md).',
        ),
      },
      { ...strict, default: {} },
    ),
    reconciliation: Type.Object(
      {
        daily: Type.Boolean({
          default: true,
          description: 'Reconcile every shop day with the wallets by itself at daily_at (only when a wallet — click, payme or uzum — is configured). A day missed while PayBridge was down is reconciled at the next start.',
        }),
        daily_at: Type.String({
          pattern: '^([01]\\d|2[0-3]):[0-5]\\d$',
          default: '23:50',
          description: 'When the day\'s reconciliation runs, HH:mm in shop.timezone (after closing; the day reconciled is the shop date at that moment).',
        }),
        calls_per_second: Type.Number({ minimum: 0.01, maximum: 50, default: 2, description: 'The most status questions a reconciliation asks a wallet per second (gentle by default: the wallets document no rate limits).' }),
        attempts: Type.Integer({ minimum: 1, maximum: 10, default: 3, description: 'How many times a question that got no answer (a timeout, a 5xx, an unreadable body) is asked before its payment is reported not_confirmed.' }),
        retry_pause_ms: ms(2_000, 'The pause before asking such a question again (doubling each time).'),
        answer_within_ms: ms(20_000, 'How long POST /payment/reconciliation/wallets waits for the run before answering 202 with its id (the run goes on; GET returns it).'),
        claim_ms: ms(300_000, 'How long one PayBridge holds a day\'s run (renewed while it works): another PayBridge of the same shop and till takes an abandoned run over, resuming it, after this.'),
      },
      { ...strict, default: {} },
    ),
    terminals: Type.Object(
      {
        queue_wait_ms: ms(30_000, 'How long a request waits for a busy terminal before the answer is "pinpad busy" (984).'),
        allow_foreign_rrns: Type.Boolean({ default: false, description: 'Give back card payments that are not in this journal (taken before the switch from FiscalBox, say): UzCard refunds by RRN, Humo cancels by receipt number or RRN, journaled as foreign.' }),
        devices: Type.Array(TerminalConfigSchema, { default: [] }),
      },
      { ...strict, default: {} },
    ),
    click: Type.Optional(Type.Unknown({ description: 'CLICK Pass credentials and timeouts (see ClickConfigSchema).' })),
    payme: Type.Optional(Type.Unknown({ description: 'Payme Go cashbox and timeouts (see PaymeConfigSchema).' })),
    uzum: Type.Optional(Type.Unknown({ description: 'Uzum Fast Pay credentials and timeouts (see UzumConfigSchema).' })),
    sandbox: Type.Object(
      {
        click: Type.Object(
          {
            port: Type.Integer({ minimum: 0, maximum: 65535, default: 0, description: '0 picks a free port.' }),
            lost_answer_delay_ms: ms(120_000, 'How long the emulator holds the answer of a "408" QR code.'),
            processing_ms: ms(1_500, 'How long a "102" QR code stays processing.'),
            confirm_window_ms: ms(30_000, 'Unconfirmed payments are cancelled after this, as CLICK does.'),
            status_lag_ms: ms(3_000, 'How long a "534"/"535" QR code\'s payment stays invisible to the status lookups after the charge.'),
          },
          { ...strict, default: {} },
        ),
        uzcard: Type.Object(
          {
            port: Type.Integer({ minimum: 0, maximum: 65535, default: 0, description: 'TCP port of the UzCard bridge emulator; 0 picks a free port.' }),
          },
          { ...strict, default: {} },
        ),
        terminal_timeout_ms: ms(20_000, 'How long PayBridge waits for a sandbox terminal (a real one gets minutes).'),
        payme: Type.Object(
          {
            port: Type.Integer({ minimum: 0, maximum: 65535, default: 0, description: '0 picks a free port.' }),
            lost_answer_delay_ms: ms(120_000, 'How long the emulator holds the answer of a "408" QR code.'),
            processing_ms: ms(1_500, 'How long a "102" QR code stays in flight.'),
            cancel_queue_ms: ms(500, 'How long a cancelled paid receipt stays queued (state 21).'),
          },
          { ...strict, default: {} },
        ),
        uzum: Type.Object(
          {
            port: Type.Integer({ minimum: 0, maximum: 65535, default: 0, description: '0 picks a free port.' }),
            lost_answer_delay_ms: ms(120_000, 'How long the emulator holds the answer of a lost-answer magic amount.'),
            processing_ms: ms(1_500, 'How long an "in process" magic amount stays in process.'),
            timestamp: Type.Union([Type.Literal('utc'), Type.Literal('utc+5')], {
              default: 'utc',
              description: 'Which reading of the Authorization timestamp the Uzum emulator accepts (see uzum.timestamp): the other is refused as more than 50 s off (error_code 403).',
            }),
          },
          { ...strict, default: {} },
        ),
      },
      { ...strict, default: {} },
    ),
  },
  strict,
);

export type ClickConfig = Static<typeof ClickConfigSchema>;
export type TerminalConfig = Static<typeof TerminalConfigSchema>;
export type PaymeConfig = Static<typeof PaymeConfigSchema>;
export type UzumConfig = Static<typeof UzumConfigSchema>;
export type Config = Omit<Static<typeof ConfigSchema>, 'click' | 'payme' | 'uzum'> & { click?: ClickConfig | undefined; payme?: PaymeConfig | undefined; uzum?: UzumConfig | undefined };
