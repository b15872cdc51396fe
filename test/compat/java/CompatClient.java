// Java kafka-clients (4.x) driver for Tributary's compat harness.
//
// Same subcommands and output as test/compat/python/confluent_client.py:
//   create  --bootstrap B --topic T --partitions N
//   produce --bootstrap B --topic T --input FILE       prints "partition\toffset\tkey\tvalue" per ack
//   consume --bootstrap B --topic T --group G --count N --timeout-s S
//
// The producer and consumer keep the client's defaults (idempotence on, acks=all, the classic group
// protocol); only what the scenario needs is set. Built by scripts/setup-compat.sh with javac against
// the kafka-clients jar that scripts/kafka-dist.sh fetched from Maven Central.
// Exit status: 0 on success, 1 on any error or timeout.

import java.io.BufferedReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class CompatClient {
  private CompatClient() {}

  public static void main(String[] argv) throws Exception {
    if (argv.length < 1) {
      System.err.println("usage: CompatClient create|produce|consume --bootstrap B --topic T ...");
      System.exit(2);
    }
    Map<String, String> args = parseArgs(argv);
    int status;
    switch (argv[0]) {
      case "create" -> status = create(args);
      case "produce" -> status = produce(args);
      case "consume" -> status = consume(args);
      default -> {
        System.err.println("unknown command " + argv[0]);
        status = 2;
      }
    }
    System.exit(status);
  }

  private static Map<String, String> parseArgs(String[] argv) {
    Map<String, String> args = new HashMap<>();
    for (int i = 1; i + 1 < argv.length; i += 2) {
      args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    }
    return args;
  }

  private static String required(Map<String, String> args, String name) {
    String value = args.get(name);
    if (value == null) {
      throw new IllegalArgumentException("missing --" + name);
    }
    return value;
  }

  private static int create(Map<String, String> args) throws Exception {
    String topic = required(args, "topic");
    int partitions = Integer.parseInt(args.getOrDefault("partitions", "3"));
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, required(args, "bootstrap"));
    try (Admin admin = Admin.create(props)) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
      long deadlineMs = System.currentTimeMillis() + 30_000;
      while (true) {
        try {
          TopicDescription description =
              admin.describeTopics(Set.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
          if (description.partitions().size() == partitions) {
            return 0;
          }
        } catch (java.util.concurrent.ExecutionException e) {
          // Metadata may lag the create; retry until the deadline.
        }
        if (System.currentTimeMillis() > deadlineMs) {
          System.err.println("topic " + topic + " never showed " + partitions + " partitions");
          return 1;
        }
        Thread.sleep(200);
      }
    }
  }

  private static int produce(Map<String, String> args) throws Exception {
    String topic = required(args, "topic");
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, required(args, "bootstrap"));
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    ConcurrentLinkedQueue<String> delivered = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props);
        BufferedReader reader = Files.newBufferedReader(Path.of(required(args, "input")), StandardCharsets.UTF_8)) {
      String line;
      while ((line = reader.readLine()) != null) {
        int tab = line.indexOf('\t');
        String key = line.substring(0, tab);
        String value = line.substring(tab + 1);
        producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
          if (error != null) {
            failures.add(error.toString());
          } else {
            delivered.add(metadata.partition() + "\t" + metadata.offset() + "\t" + key + "\t" + value);
          }
        });
      }
      producer.flush();
    }
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    delivered.forEach(out::println);
    out.flush();
    if (!failures.isEmpty()) {
      System.err.println(failures.size() + " delivery failures; first: " + failures.peek());
      return 1;
    }
    return 0;
  }

  private static int consume(Map<String, String> args) {
    int count = Integer.parseInt(required(args, "count"));
    long deadlineMs = System.currentTimeMillis() + (long) (Double.parseDouble(args.getOrDefault("timeout-s", "60")) * 1000);
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, required(args, "bootstrap"));
    props.put(ConsumerConfig.GROUP_ID_CONFIG, required(args, "group"));
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<String> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(required(args, "topic")));
      while (seen.size() < count && System.currentTimeMillis() < deadlineMs) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          seen.add(r.partition() + "\t" + r.offset() + "\t" + r.key() + "\t" + r.value());
        }
      }
      if (!seen.isEmpty()) {
        consumer.commitSync(Duration.ofSeconds(30));
      }
    }
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    seen.forEach(out::println);
    out.flush();
    if (seen.size() < count) {
      System.err.println("timed out after " + seen.size() + " of " + count + " records");
      return 1;
    }
    return 0;
  }
}
