package org.pacsmigrator.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.harness.ChildMain;

/**
 * Scenario 3: malformed configurations and rule files. Each case runs the {@code run} command as a
 * user does ({@code MigratorCli run --config}, a JVM of its own, like scripts/migrate.sh), and one
 * case starts a worker service (the retriever) on a broken migration config. Each must end with
 * exit code 2 (the service: a non-zero exit) and a message naming the key or rule, and must start
 * nothing: no keyspace {@code pacsmig_<id>}, no Kafka topic {@code <id>.*}, no data directory.
 * Every case uses external Kafka/Cassandra and its own migration id, so whatever a wrong start
 * created would be found.
 */
@Tag("faults")
class Fault3MalformedConfigTest {
    /** One broken configuration: how to break the valid config, the rules file (null: none), what the message must name. */
    private record Case(String name, UnaryOperator<FaultEnvironment.MigrationYaml> breakIt, String rules,
                        List<String> mustName) {
    }

    @Test
    void brokenConfigsAndRulesFailClearlyAndStartNothing() throws Exception {
        FaultEnvironment env = FaultEnvironment.get();
        String scenario = "3 malformed configuration and rule files";
        Path dir = env.scenarioDirectory("3-malformed-config");
        String range = "from: %s, to: %s".formatted(FaultEnvironment.FIRST_DAY, FaultEnvironment.FIRST_DAY.plusDays(6));
        String oldPort = Integer.toString(env.oldPacs().dicomPort());
        List<Case> cases = List.of(
                new Case("unknown key", y -> y.set("source", y.get("source").replace("}", ", colour: red}")), null,
                        List.of("source.colour", "unknown key")),
                new Case("port out of range", y -> y.set("destination", "{aeTitle: FNEWPACS, host: 127.0.0.1, port: 70000}"),
                        null, List.of("destination.port", "70000")),
                new Case("missing AE title", y -> y.set("source", "{host: 127.0.0.1, port: " + oldPort + "}"), null,
                        List.of("source.aeTitle", "required")),
                new Case("bad date", y -> y.set("index", "{from: 2024-02-30, to: 2024-03-10}"), null,
                        List.of("index.from")),
                new Case("AE title too long", y -> y.set("migrator", y.get("migrator").replace(FaultEnvironment.MIGRATOR_AE,
                        "MIGRATOR_AE_TOO_LONG")), null, List.of("migrator.aeTitle", "MIGRATOR_AE_TOO_LONG")),
                new Case("unset environment variable", y -> y.set("storage", y.get("storage").replace("}",
                        ", cacheDirectory: \"${PACSMIG_FAULTS_UNSET_VARIABLE}\"}")), null,
                        List.of("PACSMIG_FAULTS_UNSET_VARIABLE")),
                new Case("not YAML (unclosed list)", y -> y.set("index", "{" + range + ", windows: [MON-FRI"), null,
                        List.of("index.windows")),
                new Case("rule: unknown attribute keyword", y -> y, """
                        rules:
                          - name: fix-name
                            replace: {attribute: PatientNam, pattern: "x", with: "y"}
                        """, List.of("rules[0] 'fix-name'", "PatientNam")),
                new Case("rule: bad regular expression", y -> y, """
                        rules:
                          - name: keep
                            remove: [PatientComments]
                          - name: bad-regex
                            replace: {attribute: InstitutionName, pattern: "([a-z", with: "y"}
                        """, List.of("rules[1] 'bad-regex'", "regular expression")),
                new Case("rule: missing mapping table", y -> y, """
                        rules:
                          - name: new-domain
                            patientIdDomain: {prefix: "OLD-", mappingCsv: no-such-ids.csv}
                        """, List.of("rules[0] 'new-domain'", "no-such-ids.csv")),
                new Case("rule: unknown key", y -> y, """
                        rules:
                          - name: typo
                            sett: {InstitutionName: X}
                        """, List.of("'typo'", "sett")),
                new Case("rules file missing", y -> y.set("forward", "{rulesFile: does-not-exist.yaml}"), null,
                        List.of("forward.rulesFile", "does-not-exist.yaml")));

        List<String> failures = new ArrayList<>();
        List<String> checked = new ArrayList<>();
        try {
            for (Case c : cases) {
                String id = FaultEnvironment.migrationId("fc");
                Path caseDir = Files.createDirectories(dir.resolve(id));
                Path data = caseDir.resolve("data");
                FaultEnvironment.MigrationYaml yaml = env.migrationYaml(id, data);
                if (c.rules() != null) {
                    Files.writeString(caseDir.resolve("rules.yaml"), c.rules());
                    yaml.set("forward", "{rulesFile: rules.yaml}");
                }
                Path config = c.breakIt().apply(yaml).write(caseDir.resolve("migration.yaml"));
                Run run = runJava(caseDir.resolve("run.log"), "org.pacsmigrator.migrator.MigratorCli", "run", "--config",
                        config.toString());
                String problem = verify(c.name(), run, 2, c.mustName(), id, data, env);
                if (problem != null) {
                    failures.add(problem);
                }
                checked.add(c.name());
            }
            // worker services on a broken migration config or rules file: they must not start either
            record ServiceCase(String name, RoleProcess.Role role, String section, String value, String rules, String mustName) {
            }
            for (ServiceCase c : List.of(
                    new ServiceCase("retriever service: retrieve.maxAssociations 0", RoleProcess.Role.RETRIEVER, "retrieve",
                            "{maxAssociations: 0}", null, "retrieve.maxAssociations"),
                    new ServiceCase("forwarder service: rule with an unknown attribute", RoleProcess.Role.FORWARDER, "forward",
                            "{rulesFile: rules.yaml}", """
                            rules:
                              - name: set-institution
                                set: {InstitutionNam: X}
                            """, "rules[0] 'set-institution'"))) {
                String id = FaultEnvironment.migrationId("fc");
                Path caseDir = Files.createDirectories(dir.resolve(id));
                Path data = caseDir.resolve("data");
                if (c.rules() != null) {
                    Files.writeString(caseDir.resolve("rules.yaml"), c.rules());
                }
                Path config = env.migrationYaml(id, data).set(c.section(), c.value()).write(caseDir.resolve("migration.yaml"));
                Path serviceYaml = RoleProcess.writeServiceYaml(caseDir.resolve(c.role().lower() + ".yaml"), config);
                Run run = runJava(caseDir.resolve(c.role().lower() + ".log"), ChildMain.class.getName(),
                        Long.toString(ProcessHandle.current().pid()), c.role().mainClass, "server", serviceYaml.toString());
                String problem = verify(c.name(), run, -1, List.of(c.mustName()), id, data, env);
                if (problem != null) {
                    failures.add(problem);
                }
                checked.add(c.name());
            }
        } catch (Throwable t) {
            failures.add(t.toString());
        }
        String faults = checked.size() + " broken configs (`run` command" + ", worker services): " + String.join(", ", checked);
        FaultResults.Row row = new FaultResults.Row(scenario, faults, -1, -1, -1, failures.isEmpty(), failures.isEmpty()
                ? "each: exit 2 (service: non-zero), message names the key/rule, no keyspace, no topic, no data directory"
                : String.join("; ", failures));
        FaultResults.append(row);
        assertThat(failures).as("%s", row.markdown()).isEmpty();
    }

    private record Run(int exit, String output) {
    }

    private static Run runJava(Path log, String mainClass, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(FaultEnvironment.java(), "-Xmx256m", "-XX:+UseSerialGC", "-cp",
                FaultEnvironment.classpath(), mainClass));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(log.getParent().toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            return new Run(Integer.MIN_VALUE, Files.readString(log));
        }
        return new Run(p.exitValue(), Files.readString(log));
    }

    /** Null when the case behaved; else what was wrong. {@code exit} -1: any non-zero exit. */
    private static String verify(String name, Run run, int exit, List<String> mustName, String id, Path data,
                                 FaultEnvironment env) throws Exception {
        List<String> wrong = new ArrayList<>();
        if (run.exit() == Integer.MIN_VALUE) {
            wrong.add("still running after 180 s");
        } else if (exit >= 0 ? run.exit() != exit : run.exit() == 0) {
            wrong.add("exit " + run.exit());
        }
        for (String text : mustName) {
            if (!run.output().contains(text)) {
                wrong.add("message lacks '" + text + "'");
            }
        }
        if (Files.exists(data)) {
            wrong.add("data directory created");
        }
        if (keyspaceExists(env, "pacsmig_" + id)) {
            wrong.add("keyspace pacsmig_" + id + " created");
        }
        List<String> topics = topicsOf(env, id);
        if (!topics.isEmpty()) {
            wrong.add("topics created: " + topics);
        }
        if (wrong.isEmpty()) {
            return null;
        }
        String output = run.output().strip();
        return name + ": " + String.join(", ", wrong) + " (output: "
                + (output.length() > 300 ? output.substring(output.length() - 300) : output) + ")";
    }

    private static boolean keyspaceExists(FaultEnvironment env, String keyspace) {
        String[] hostPort = env.services().cassandra().contactPoint().split(":");
        try (CqlSession session = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))
                .withLocalDatacenter(env.services().cassandra().localDatacenter()).build()) {
            return session.execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?", keyspace)
                    .one() != null;
        }
    }

    private static List<String> topicsOf(FaultEnvironment env, String id) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                env.services().kafka().bootstrapServers()))) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().filter(t -> t.startsWith(id + ".")).sorted()
                    .toList();
        }
    }
}
