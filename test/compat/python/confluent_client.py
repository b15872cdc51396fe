#!/usr/bin/env python3
"""confluent-kafka (librdkafka) driver for Tributary's compat harness.

Subcommands, shared by every driver in test/compat (see test/compat/harness/records.ts):
  create  --bootstrap B --topic T --partitions N
  produce --bootstrap B --topic T --input FILE     FILE has one "key<TAB>value" per line;
          prints one "partition<TAB>offset<TAB>key<TAB>value" line per delivery report
  consume --bootstrap B --topic T --group G --count N --timeout-s S
          consumes in group G from the earliest offset until N records arrived, commits them
          synchronously, leaves the group, and prints the same four-column lines

The producer uses librdkafka's murmur2_random partitioner (the Java client's key hashing), so the
test can predict every record's partition, and enables idempotence, which librdkafka leaves off
by default (kcat covers the default, non-idempotent path).
Exit status: 0 on success, 1 on any delivery/consume error or timeout.
"""
import argparse
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer
from confluent_kafka.admin import AdminClient, NewTopic


def create(args):
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    futures = admin.create_topics(
        [NewTopic(args.topic, num_partitions=args.partitions, replication_factor=1)],
        operation_timeout=30,
    )
    for future in futures.values():
        future.result(timeout=60)
    deadline = time.monotonic() + 30
    while True:
        topic = admin.list_topics(topic=args.topic, timeout=10).topics.get(args.topic)
        if topic is not None and topic.error is None and len(topic.partitions) == args.partitions:
            return 0
        if time.monotonic() > deadline:
            print(f"topic {args.topic} metadata never showed {args.partitions} partitions", file=sys.stderr)
            return 1
        time.sleep(0.2)


def produce(args):
    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "enable.idempotence": True,
        "partitioner": "murmur2_random",
        "linger.ms": 5,
    })
    delivered, failures = [], []

    def on_delivery(err, msg):
        if err is not None:
            failures.append(str(err))
            return
        delivered.append(f"{msg.partition()}\t{msg.offset()}\t{msg.key().decode()}\t{msg.value().decode()}")

    with open(args.input, encoding="utf-8") as lines:
        for line in lines:
            key, value = line.rstrip("\n").split("\t", 1)
            while True:
                try:
                    producer.produce(args.topic, key=key.encode(), value=value.encode(), on_delivery=on_delivery)
                    break
                except BufferError:
                    producer.poll(0.05)
            producer.poll(0)
    remaining = producer.flush(args.timeout_s)
    sys.stdout.write("".join(line + "\n" for line in delivered))
    if failures or remaining:
        print(f"{len(failures)} delivery failures, {remaining} undelivered; first: {failures[:3]}", file=sys.stderr)
        return 1
    return 0


def consume(args):
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    consumer.subscribe([args.topic])
    seen = []
    deadline = time.monotonic() + args.timeout_s
    try:
        while len(seen) < args.count and time.monotonic() < deadline:
            for msg in consumer.consume(num_messages=500, timeout=1.0):
                if msg.error() is not None:
                    if msg.error().code() == KafkaError._PARTITION_EOF:
                        continue
                    print(f"consume error: {msg.error()}", file=sys.stderr)
                    return 1
                seen.append(f"{msg.partition()}\t{msg.offset()}\t{msg.key().decode()}\t{msg.value().decode()}")
        if seen:
            consumer.commit(asynchronous=False)
    finally:
        consumer.close()
    sys.stdout.write("".join(line + "\n" for line in seen))
    if len(seen) < args.count:
        print(f"timed out after {len(seen)} of {args.count} records", file=sys.stderr)
        return 1
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["create", "produce", "consume"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--input")
    parser.add_argument("--group")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--timeout-s", type=float, default=60)
    args = parser.parse_args()
    return {"create": create, "produce": produce, "consume": consume}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
