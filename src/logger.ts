import { pino, type Logger, type DestinationStream } from 'pino';
import { maskDeep } from './payments/masking.js';

/**
 * Structured logs (pino). Whatever the call site passes, secrets, one-time QR codes and card
 * numbers are masked on the way out.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'paybridge' },
      redact: {
        paths: [
          'req.headers.auth',
          'req.headers.authorization',
          'req.headers.cookie',
          '*.secret_key',
          '*.*.secret_key',
          '*.qr_code',
          '*.*.qr_code',
          '*.otp_data',
          '*.*.otp_data',
          '*.card_number',
          '*.*.card_number',
          'evidence',
          'detail',
          'data',
        ],
        censor: (value: unknown, path: string[]) => maskDeep(value, path[path.length - 1] ?? ''),
      },
    },
    destination,
  );
}
