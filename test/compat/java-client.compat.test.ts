// Apache Kafka's Java client (kafka-clients 4.x) against the broker under test: the scenario of
// harness/scenario.ts with the client's defaults (idempotent producer, classic group protocol).
import test from 'ava';
import { join } from 'node:path';
import {
  javaClassesDir,
  kafkaLibsClasspath,
  kafkaLog4jConfig,
  kafkaVersion,
  requireCommand,
  requireFile,
} from './harness/env.js';
import { runScenario } from './harness/scenario.js';
import { scriptDriver } from './harness/script-driver.js';

test(`Java kafka-clients ${kafkaVersion} produces, consumes in a group and commits 10,000 keyed records`, async (t) => {
  await runScenario(
    t,
    scriptDriver({
      name: 'java-client',
      command: () => ({
        command: 'java',
        prefixArgs: [
          '-cp',
          `${javaClassesDir()}:${kafkaLibsClasspath}`,
          `-Dlog4j2.configurationFile=${kafkaLog4jConfig}`,
          'CompatClient',
        ],
      }),
      requireInstalled: async () => {
        requireCommand('java');
        requireFile(kafkaLibsClasspath.replace(/\*$/, `kafka-clients-${kafkaVersion}.jar`), 'kafka-clients');
        requireFile(join(javaClassesDir(), 'CompatClient.class'), 'the compiled CompatClient.java');
      },
    }),
  );
});
