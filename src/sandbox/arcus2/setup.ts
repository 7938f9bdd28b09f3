import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';

/** The ops.ini the sandbox ships: numbered the way one real site does it, read like any site's. */
const SANDBOX_OPS_INI = `# op code = op class, op id, name
1 = 1, 1, Оплата
# 2 = 2, 1, Отмена последней
4 = 4, 12, Универсальная отмена
3 = 2, 3, Возврат
7 = 7, 1, Сверка итогов
103 = 9, 3, Печать последнего чека
`;

export interface SandboxArcus2 {
  workDir: string;
  command: string;
  args: string[];
}

/**
 * Lays out an Arcus2 folder for the emulated CommandLineTool (INI/ops.ini in cp1251) and says how
 * to run the tool: with this Node.js, from the compiled script, or from source under tsx in tests.
 */
export function setUpSandboxArcus2(workDir: string): SandboxArcus2 {
  mkdirSync(join(workDir, 'INI'), { recursive: true });
  const ops = join(workDir, 'INI', 'ops.ini');
  if (!existsSync(ops)) writeFileSync(ops, iconv.encode(SANDBOX_OPS_INI.replace(/\n/g, '\r\n'), 'cp1251'));
  const source = fileURLToPath(new URL('./command-line-tool.ts', import.meta.url));
  // From source (tests under tsx), the build of the same source starts ten times faster than tsx
  // does, which a loaded machine's pinpad timeouts need; a build older than the source is not used.
  const built = [fileURLToPath(new URL('./command-line-tool.js', import.meta.url)), fileURLToPath(new URL('../../../dist/sandbox/arcus2/command-line-tool.js', import.meta.url))];
  const compiled = built.find((file) => existsSync(file) && (!existsSync(source) || statSync(file).mtimeMs >= statSync(source).mtimeMs));
  // The tool runs in the Arcus2 folder, so tsx is named by its full location, not looked up from there.
  const args = compiled ? [compiled] : ['--import', import.meta.resolve('tsx'), source];
  return { workDir, command: process.execPath, args };
}
