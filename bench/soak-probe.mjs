/**
 * Loaded into PayBridge by `npm run soak` (node --expose-gc --import bench/soak-probe.mjs dist/main.js),
 * with an IPC channel. Answers two questions and does nothing else:
 *   { type: 'soak-sample' }            → process.memoryUsage() before and after a full collection
 *                                        (global.gc), to tell garbage not yet collected from what is kept;
 *                                        with `gc: false` without one (V8 left to collect when it will)
 *   { type: 'soak-snapshot', file }    → a V8 heap snapshot written to `file` (for finding what is kept)
 */
import { writeHeapSnapshot } from 'node:v8';

if (process.send) {
  process.channel?.unref();
  process.on('message', (message) => {
    if (message?.type === 'soak-sample') {
      const before = process.memoryUsage();
      const gc = typeof globalThis.gc === 'function' && message.gc !== false;
      if (gc) globalThis.gc();
      const after = process.memoryUsage();
      process.send({ type: 'soak-sample', before, after, gc });
    } else if (message?.type === 'soak-snapshot' && typeof message.file === 'string') {
      if (typeof globalThis.gc === 'function') globalThis.gc();
      writeHeapSnapshot(message.file);
      process.send({ type: 'soak-snapshot', file: message.file });
    }
  });
}
