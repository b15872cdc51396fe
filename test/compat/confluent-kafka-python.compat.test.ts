// confluent-kafka-python (librdkafka inside) against the broker under test: the scenario of
// harness/scenario.ts, with idempotence enabled (librdkafka's default is off; kcat covers that).
import test from 'ava';
import { join } from 'node:path';
import { compatDir, requireFile, venvPython } from './harness/env.js';
import { runToolOk } from './harness/process.js';
import { runScenario } from './harness/scenario.js';
import { scriptDriver } from './harness/script-driver.js';

const script = join(compatDir, 'python', 'confluent_client.py');

test('confluent-kafka-python produces, consumes in a group and commits 10,000 keyed records', async (t) => {
  await runScenario(
    t,
    scriptDriver({
      name: 'confluent-python',
      command: () => ({ command: venvPython, prefixArgs: [script] }),
      requireInstalled: async () => {
        requireFile(venvPython, 'the compat Python venv');
        const { stdout } = await runToolOk({
          command: venvPython,
          args: ['-c', 'import confluent_kafka as c; print(c.__version__, "librdkafka", c.libversion()[0])'],
          timeoutMs: 30_000,
        });
        t.log(`confluent-kafka, librdkafka: ${stdout.trim()}`);
      },
    }),
  );
});
