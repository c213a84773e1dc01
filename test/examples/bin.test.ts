// The README's commands are `npx vfsim …`: npm runs the package's bin (dist/src/cli/main.js) as a program,
// so after `npm ci` (prepare = build) the file must be executable and start with its #! line. tsc writes
// files without the execute bit, which made `npx vfsim` fail with "Permission denied" in a fresh clone.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { bin: Record<string, string> };
const bin = fileURLToPath(new URL(`../../${pkg.bin['vfsim']}`, import.meta.url));

t.test('the vfsim bin runs as a program (execute bit, #! line)', async (t) => {
  t.not(statSync(bin).mode & 0o111, 0, 'executable');
  t.match(readFileSync(bin, 'utf8').split('\n')[0], /^#!\/usr\/bin\/env node/);
  t.match(execFileSync(bin, ['--help'], { encoding: 'utf8' }), /Usage: vfsim/);
});
