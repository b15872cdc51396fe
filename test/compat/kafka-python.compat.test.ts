// kafka-python (a pure-Python client with its own protocol code) against the broker under test:
// the scenario of harness/scenario.ts with the client's defaults.
import test from 'ava';
import { join } from 'node:path';
import { compatDir, requireFile, venvPython } from './harness/env.js';
import { runToolOk } from './harness/process.js';
import { runScenario } from './harness/scenario.js';
import { scriptDriver } from './harness/script-driver.js';

const script = join(compatDir, 'python', 'kafka_python_client.py');

test('kafka-python produces, consumes in a group and commits 10,000 keyed records', async (t) => {
  await runScenario(
    t,
    scriptDriver({
      name: 'kafka-python',
      command: () => ({ command: venvPython, prefixArgs: [script] }),
      requireInstalled: async () => {
        requireFile(venvPython, 'the compat Python venv');
        const { stdout } = await runToolOk({
          command: venvPython,
          args: ['-c', 'import kafka; print(kafka.__version__)'],
          timeoutMs: 30_000,
        });
        t.log(`kafka-python ${stdout.trim()}`);
      },
    }),
  );
});
