import { createRequire } from 'node:module';
import type * as TypeBox from '@sinclair/typebox';
import type * as TypeBoxValue from '@sinclair/typebox/value';

/**
 * TypeBox for PayBridge's own modules, loaded through `require`. Its ES module build is some 250
 * files, each of which Node's ES module loader resolves and reads asynchronously, one after another:
 * about a sixth of a start (docs/performance.md, 4). Its CommonJS build is the same code, loaded the
 * synchronous way. Schemas made by either are the same plain objects (TypeBox marks them with
 * `Symbol.for` keys), so tests and tools that import TypeBox directly see no difference.
 */
const requireHere = createRequire(import.meta.url);
export const { Type } = requireHere('@sinclair/typebox') as typeof TypeBox;
export const { Value, ValueErrorType } = requireHere('@sinclair/typebox/value') as typeof TypeBoxValue;
export type { Static, TObject, TSchema } from '@sinclair/typebox';
