// Preloaded with `node --import` into a probe process under test: on exit it writes the built-in
// modules the process loaded (process.moduleLoadList, "NativeModule <name>" entries), one a line.
import { writeFileSync } from 'node:fs';

const out = process.env.FLYPROBE_TEST_MODULE_LIST;
if (out)
  process.on('exit', () => {
    const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule '));
    writeFileSync(out, `${builtins.map((m) => m.slice('NativeModule '.length)).join('\n')}\n`);
  });
