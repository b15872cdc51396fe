import test from 'ava';
import { Kafka, logLevel } from 'kafkajs';
import { startTestBroker } from '../helpers/in-process-broker.js';

test('a kafkajs admin connects and the broker advertises ApiVersions from its handler registry', async (t) => {
  const tb = await startTestBroker();
  try {
    const admin = new Kafka({ brokers: [tb.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.disconnect();
    const advertised = tb.broker.image.brokers.get(1);
    t.truthy(advertised, 'the broker registered itself in the metadata image');
  } finally {
    await tb.stop();
  }
});
