import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';

/**
 * The ops.ini the sandbox ships, laid out as real installs are: numbered the site's own way, with
 * cancel-last (which cancels without asking) above print-last, and lines PayBridge never runs.
 */
const SANDBOX_OPS_INI = `# op code = op class, op id, name
1 = 1, 1, Оплата
2 = 2, 1, Отмена последней
3 = 2, 3, Возврат
4 = 4, 12, Универсальная отмена
7 = 7, 1, Сверка итогов
13 = 8, 1, Меню кассира
14 = 8, 2, Промежуточный отчет
25 = 10, 1, Баланс
96 = 11, 2, Проверка связи
103 = 9, 3, Печать последнего чека
104 = 9, 4, Печать последнего отчета
`;

/** cashreg.ini with the keys of a production file (shared/reference/humo-arcus2.md); PayBridge reads the file names and charset from it. */
const SANDBOX_CASHREG_INI = `PORT=COM3
SPEED=115200
TIMEOUT=10000
PPAD_IDLE_TO=120000
PPCHARSET=CP1251
OPCHARSET=CP1251
OPERATION_INI_FILE=ops.ini
CHEQ_FILE=cheq.out
RESULT_FILE=rc.out
CANCEL_CH_FILE=auto_can.out
CANCEL_RC_FILE=can_rc.out
`;

export interface SandboxArcus2 {
  workDir: string;
  command: string;
  args: string[];
}

/**
 * Lays out an Arcus2 folder for the emulated CommandLineTool (INI/ops.ini and INI/cashreg.ini in
 * cp1251; a folder's existing files are kept, as a site's are) and says how
 * to run the tool: with this Node.js, from the compiled script, or from source under tsx in tests.
 */
export function setUpSandboxArcus2(workDir: string): SandboxArcus2 {
  mkdirSync(join(workDir, 'INI'), { recursive: true });
  const ops = join(workDir, 'INI', 'ops.ini');
  if (!existsSync(ops)) writeFileSync(ops, iconv.encode(SANDBOX_OPS_INI.replace(/\n/g, '\r\n'), 'cp1251'));
  const cashreg = join(workDir, 'INI', 'cashreg.ini');
  if (!existsSync(cashreg)) writeFileSync(cashreg, iconv.encode(SANDBOX_CASHREG_INI.replace(/\n/g, '\r\n'), 'cp1251'));
  const source = fileURLToPath(new URL('./command-line-tool.ts', import.meta.url));
  // From source (tests under tsx), the build of the same source starts ten times faster than tsx
  // does, which a loaded machine's pinpad timeouts need; a build older than the source is not used.
  const built = [fileURLToPath(new URL('./command-line-tool.js', import.meta.url)), fileURLToPath(new URL('../../../dist/sandbox/arcus2/command-line-tool.js', import.meta.url))];
  const compiled = built.find((file) => existsSync(file) && (!existsSync(source) || statSync(file).mtimeMs >= statSync(source).mtimeMs));
  // The tool runs in the Arcus2 folder, so tsx is named by its full location, not looked up from there.
  const args = compiled ? [compiled] : ['--import', import.meta.resolve('tsx'), source];
  return { workDir, command: process.execPath, args };
}
