/**
 * The sandbox's own test credentials: public by design (printed in the README), valid only
 * against the built-in emulators. Real credentials live in the configuration file.
 */
export const SANDBOX_CLICK = {
  serviceId: 10001,
  merchantUserId: 'sandbox-user',
  secretKey: 'sandbox-secret-key',
} as const;

export const SANDBOX_PAYME = {
  cashboxId: 'sandbox-cashbox',
  cashboxKey: 'sandbox-cashbox-key',
} as const;

export const SANDBOX_UZUM = {
  serviceId: 20001,
  merchantServiceUserId: '8461',
  secretKey: 'sandbox-uzum-secret-key',
  cashboxCode: 'sandbox-kkm',
} as const;
