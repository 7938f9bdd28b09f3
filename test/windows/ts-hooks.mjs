// Loaded into Windows' node.exe under Wine only, by test/windows/run.sh (--import), in place of tsx.
// tsx compiles TypeScript with esbuild's Windows binary, which Wine 8 cannot start (Go's runtime needs
// bcryptprimitives.dll, which Wine 8 does not have). Node 22 strips the types itself
// (--experimental-transform-types); what it does not do is find `./x.ts` for the `./x.js` that
// TypeScript's NodeNext imports name, which this resolve hook adds.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (err) {
      if (err?.code === 'ERR_MODULE_NOT_FOUND' && /^\.\.?\//.test(specifier) && specifier.endsWith('.js')) {
        return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
      }
      throw err;
    }
  },
});
