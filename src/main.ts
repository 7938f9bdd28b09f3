import { runService } from './service.js';

/** `npm start`. */
runService().catch((err: unknown) => {
  process.stderr.write(`paybridge: failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
