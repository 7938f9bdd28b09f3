import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Creates `folder` and the folders above it that are missing, as `mkdirSync(folder, { recursive:
 * true })` does, but gives up with the error instead of looping. Node's recursive mkdir (20 and 22)
 * creates the parent again on every ENOENT and retries, without end, where a file system answers
 * ENOENT to the folder although its parent exists: under /proc, for one, it spun at full CPU for ever.
 * Here each folder is tried once after its parent exists; a second ENOENT is the answer.
 *
 * A file where a folder should be throws EEXIST (as mkdir does), a folder that exists is fine.
 */
export function makeFolder(folder: string): void {
  try {
    mkdirSync(folder);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (isFolder(folder)) return;
      throw err;
    }
    if (code !== 'ENOENT') throw err;
    const parent = dirname(folder);
    if (parent === folder) throw err;
    makeFolder(parent);
  }
  // The parent exists now: this is the one try left.
  try {
    mkdirSync(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST' && isFolder(folder)) return;
    throw err;
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
