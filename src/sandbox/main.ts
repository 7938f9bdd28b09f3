import { runSandbox } from './run.js';

/** `npm run sandbox`. */
void runSandbox();
