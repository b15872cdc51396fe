import test from 'ava';
import { allErrors, ErrorCode, errorInfo, KafkaError } from '../../broker/protocol/errors.js';

test('error codes use Kafka numbers and names', (t) => {
  t.is(ErrorCode.NONE, 0);
  t.is(ErrorCode.UNKNOWN_SERVER_ERROR, -1);
  t.is(ErrorCode.OFFSET_OUT_OF_RANGE, 1);
  t.is(ErrorCode.CORRUPT_MESSAGE, 2);
  t.is(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 3);
  t.is(ErrorCode.NOT_LEADER_OR_FOLLOWER, 6);
  t.is(ErrorCode.NOT_COORDINATOR, 16);
  t.is(ErrorCode.UNSUPPORTED_VERSION, 35);
  t.is(ErrorCode.INVALID_REQUEST, 42);
  t.is(ErrorCode.FENCED_LEADER_EPOCH, 74);
  t.is(ErrorCode.UNKNOWN_TOPIC_ID, 100);
  t.is(ErrorCode.TRANSACTION_ABORTABLE, 120);
});

test('the table covers every code from -1 to at least 120 without gaps or duplicates', (t) => {
  const codes = allErrors().map((e) => e.code);
  t.is(codes[0], -1);
  for (let i = 1; i < codes.length; i++) t.is(codes[i], codes[i - 1]! + 1);
  t.true(codes[codes.length - 1]! >= 120);
  const names = new Set(allErrors().map((e) => e.name));
  t.is(names.size, codes.length);
  for (const e of allErrors()) {
    t.is((ErrorCode as Record<string, number>)[e.name], e.code);
    t.true(e.message.length > 5, e.name);
  }
});

test('retriable flags follow the Kafka clients', (t) => {
  const retriable = (code: number): boolean => errorInfo(code).retriable;
  t.true(retriable(ErrorCode.NOT_LEADER_OR_FOLLOWER));
  t.true(retriable(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
  t.true(retriable(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS));
  t.true(retriable(ErrorCode.NOT_ENOUGH_REPLICAS));
  t.true(retriable(ErrorCode.REQUEST_TIMED_OUT));
  t.false(retriable(ErrorCode.NONE));
  t.false(retriable(ErrorCode.UNKNOWN_SERVER_ERROR));
  t.false(retriable(ErrorCode.OFFSET_OUT_OF_RANGE));
  t.false(retriable(ErrorCode.TOPIC_AUTHORIZATION_FAILED));
  t.false(retriable(ErrorCode.UNSUPPORTED_VERSION));
  t.false(retriable(ErrorCode.REBALANCE_IN_PROGRESS));
});

test('unknown codes get a generic entry instead of throwing', (t) => {
  const info = errorInfo(31337);
  t.is(info.code, 31337);
  t.false(info.retriable);
  t.regex(info.name, /31337/);
});

test('KafkaError carries the code and says what went wrong', (t) => {
  const e = new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'orders-3 is led by broker 2');
  t.true(e instanceof Error);
  t.is(e.code, 6);
  t.true(e.retriable);
  t.is(e.name, 'KafkaError');
  t.regex(e.message, /^NOT_LEADER_OR_FOLLOWER \(6\): .+ orders-3 is led by broker 2$/);
  t.true(KafkaError.hasCode(e, ErrorCode.NOT_LEADER_OR_FOLLOWER));
  t.false(KafkaError.hasCode(new Error('x'), ErrorCode.NOT_LEADER_OR_FOLLOWER));
});
