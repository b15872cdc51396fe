#!/usr/bin/env python3
"""kafka-python (pure Python) driver for Tributary's compat harness.

Same subcommands and output as confluent_client.py (see its docstring):
  create | produce | consume, printing "partition<TAB>offset<TAB>key<TAB>value" lines.

The producer keeps kafka-python's defaults (its murmur2 partitioner matches the Java client;
idempotence is whatever this kafka-python version defaults to, printed on stderr).
Exit status: 0 on success, 1 on any error or timeout.
"""
import argparse
import sys
import time

from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic


def create(args):
    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap, client_id="compat-kafka-python-admin")
    try:
        admin.create_topics([NewTopic(args.topic, num_partitions=args.partitions, replication_factor=1)],
                            timeout_ms=30000)
        deadline = time.monotonic() + 30
        while True:
            described = admin.describe_topics([args.topic])
            if described and described[0].get("error_code", 0) == 0 and len(described[0]["partitions"]) == args.partitions:
                return 0
            if time.monotonic() > deadline:
                print(f"topic {args.topic} never showed {args.partitions} partitions: {described}", file=sys.stderr)
                return 1
            time.sleep(0.2)
    finally:
        admin.close()


def produce(args):
    producer = KafkaProducer(bootstrap_servers=args.bootstrap, linger_ms=5, client_id="compat-kafka-python")
    print(f"kafka-python enable_idempotence={producer.config.get('enable_idempotence')} acks={producer.config['acks']}",
          file=sys.stderr)
    pending = []
    with open(args.input, encoding="utf-8") as lines:
        for line in lines:
            key, value = line.rstrip("\n").split("\t", 1)
            pending.append((key, value, producer.send(args.topic, key=key.encode(), value=value.encode())))
    producer.flush(timeout=args.timeout_s)
    delivered, failures = [], []
    for key, value, future in pending:
        try:
            metadata = future.get(timeout=args.timeout_s)
            delivered.append(f"{metadata.partition}\t{metadata.offset}\t{key}\t{value}")
        except Exception as err:  # noqa: BLE001 - every failure is reported, none is fatal here
            failures.append(repr(err))
    producer.close(timeout=10)
    sys.stdout.write("".join(line + "\n" for line in delivered))
    if failures:
        print(f"{len(failures)} delivery failures; first: {failures[:3]}", file=sys.stderr)
        return 1
    return 0


def consume(args):
    consumer = KafkaConsumer(
        args.topic,
        bootstrap_servers=args.bootstrap,
        group_id=args.group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        client_id="compat-kafka-python",
    )
    seen = []
    deadline = time.monotonic() + args.timeout_s
    try:
        while len(seen) < args.count and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=1000, max_records=500).values():
                for rec in records:
                    seen.append(f"{rec.partition}\t{rec.offset}\t{rec.key.decode()}\t{rec.value.decode()}")
        if seen:
            consumer.commit()
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
