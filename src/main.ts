import module from 'node:module';

// Node 22.1+ can keep the compiled code of every module it loads between starts, which is most of
// what a start costs (docs/performance.md, scenario 4); Node 20 has no such cache and skips this.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

/** `npm start`. Imported after the cache is on, so that PayBridge's own modules are cached too. */
const { runService } = await import('./service.js');
// Known causes (a port in use, an unwritable folder, a bad configuration…) are told in one line by
// runService; what reaches here is unforeseen, and its stack is what a bug report needs.
runService().catch((err: unknown) => {
  process.stderr.write(`paybridge: failed to start (unexpected; please report it with what follows): ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
