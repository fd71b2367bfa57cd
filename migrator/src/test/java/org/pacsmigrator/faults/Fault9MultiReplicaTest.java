package org.pacsmigrator.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.cache.S3InstanceCache;
import org.pacsmigrator.cache.S3ProxyServer;
import org.pacsmigrator.faults.RoleProcess.Role;
import org.pacsmigrator.forward.Forwarder;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.StudyState;
import org.pacsmigrator.testsupport.ConsumerGroups;
import org.pacsmigrator.testsupport.CountingProxy;
import org.pacsmigrator.throttle.StagePauses;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.topics.Topics;
import org.pacsmigrator.verify.CompletionService;

/**
 * Scenario 9: the roles scaled out as deployed, each replica a service JVM of its own: 1 indexer, 3
 * retrievers (C-GET: C-MOVE replicas on one host would each need a storage SCP port of their own, or one
 * shared destination AE in front of them), 3 forwarders, 2 verifiers and the console, on the shared Kafka
 * and Cassandra and one S3 cache (s3proxy), the old and the new PACS behind counting proxies. Mid-run one
 * replica of each role is SIGKILLed (the one holding a PACS lease when there is one) and a fourth
 * retriever is added (the retrieve stage paused until it holds partitions). It shows: every instance in the new PACS exactly once and the state store
 * reconciled; the proxies never saw more associations at once than retrieve.maxAssociations and
 * forward.maxAssociations; each killed replica's partitions were taken over (the takeover: from the kill
 * until the broker shows the survivors holding all of them, its target the session timeout of ~10 s) and
 * its leases expired; the added retriever took partitions and retrieved studies (its
 * {@code pacsmig_stage_processed_total}).
 */
@Tag("faults")
class Fault9MultiReplicaTest {
    private static final int RETRIEVE_LIMIT = 2;
    private static final int FORWARD_LIMIT = 3;
    private static final int FORWARD_ASSOCIATIONS = 2;
    private static final int PARTITIONS = 6;
    private static final int LEASE_TTL_SECONDS = 10;
    private static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(30);
    private static final String TOKEN = "fault9-console-token-0123456789";
    private static final String SCENARIO = "9 replicas: indexer, 3 retrievers (C-GET), 3 forwarders, 2 verifiers, console;"
            + " S3 cache; counting proxies";

    /** One kill: the victim, its leases at the kill, how long until its partitions and leases were taken over. */
    private record Kill(String victim, long pid, int leases, Map<String, Duration> takeovers, Duration leasesExpired) {
        String describe() {
            StringBuilder s = new StringBuilder(victim + " (pid " + pid + ", " + leases + " leases): partitions taken over in");
            takeovers.forEach((group, d) -> s.append(' ').append(group).append(' ').append(seconds(d)));
            return s.append(", leases expired ").append(seconds(leasesExpired)).toString();
        }
    }

    private final List<String> problems = new ArrayList<>();

    @Test
    void replicasShareTheWorkTakeOverFromAKilledReplicaOfEachRoleAndTakeInANewOne() throws Exception {
        FaultEnvironment env = FaultEnvironment.get();
        List<Kill> kills = new ArrayList<>();
        boolean rowWritten = false;
        env.newPacs().deleteAll();
        Path dir = env.scenarioDirectory("9-replicas");
        String id = FaultEnvironment.migrationId("fr");
        Topics topics = new Topics(id);
        try (S3ProxyServer s3 = S3ProxyServer.start(Files.createDirectories(dir.resolve("s3")));
             CountingProxy oldProxy = new CountingProxy(env.oldPacs().host(), env.oldPacs().dicomPort());
             CountingProxy newProxy = new CountingProxy(env.newPacs().host(), env.newPacs().dicomPort());
             Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", env.services().kafka().bootstrapServers()));
             CassandraStateStore state = env.openState(id); // the schema once, before ten JVMs race for it
             Replicas replicas = new Replicas(dir, migration(env, id, oldProxy, newProxy), data -> storage(s3, data))) {
            try (S3InstanceCache bucket = new S3InstanceCache(s3.settings("cache"))) {
                bucket.createBucketIfAbsent();
            }
            replicas.start(Role.INDEXER, 1);
            replicas.start(Role.CONSOLE, 1);
            for (int n = 1; n <= 3; n++) {
                replicas.start(Role.RETRIEVER, n);
                replicas.start(Role.FORWARDER, n);
            }
            replicas.start(Role.VERIFIER, 1);
            replicas.start(Role.VERIFIER, 2);
            long t0 = System.nanoTime();

            String retrievers = StageId.RETRIEVE.consumerGroup(topics);
            awaitOrFail(replicas, () -> Scenarios.atLeast(state, StudyState.RETRIEVED) >= 3, "3 studies retrieved", state);
            kills.add(kill(replicas, Role.RETRIEVER, env.oldPacs().aeTitle(), List.of(retrievers), admin, state));
            // A service JVM takes a minute or more to start on this busy machine, longer than the rest of the
            // retrieving: the stage is paused (as an operator would) until the added replica holds partitions.
            StagePauses pauses = StagePauses.of(state);
            pauses.set(StageId.RETRIEVE, true);
            RoleProcess added = replicas.start(Role.RETRIEVER, 4);
            String addedAt = "retriever-4 added at " + (System.nanoTime() - t0) / 1_000_000_000 + " s";
            long addedAtNanos = System.nanoTime();
            // two survivors and the added one: then the added one holds partitions
            Duration joined = ConsumerGroups.awaitAssignment(admin, retrievers, 3, partitions(topics.indexed()),
                    Duration.ofMinutes(5));
            pauses.set(StageId.RETRIEVE, false);
            addedAt += joined == null ? "" : " (holding partitions " + (System.nanoTime() - addedAtNanos) / 1_000_000_000
                    + " s later, the retrieve stage paused meanwhile)";

            awaitOrFail(replicas, () -> env.newPacs().receivedStores().size() >= env.totalInstances() * 0.3,
                    "30 % of the instances stored", state);
            kills.add(kill(replicas, Role.FORWARDER, env.newPacs().aeTitle(), List.of(StageId.FORWARD.consumerGroup(topics)),
                    admin, state));

            awaitOrFail(replicas, () -> Scenarios.atLeast(state, StudyState.VERIFIED) >= 5, "5 studies verified", state);
            kills.add(kill(replicas, Role.VERIFIER, env.newPacs().aeTitle(),
                    List.of(StageId.VERIFY.consumerGroup(topics), CompletionService.applicationId(topics)), admin, state));

            awaitOrFail(replicas, () -> Scenarios.finished(state), "every study VERIFIED or FAILED", state);
            long processedByAdded = processed(added, StageId.RETRIEVE);
            int consoleStatus = consoleProgressStatus(replicas.get("console-1"));
            long elapsed = (System.nanoTime() - t0) / 1_000_000_000;

            check(oldProxy.peak() <= RETRIEVE_LIMIT, "old PACS peak " + oldProxy.peak() + " > " + RETRIEVE_LIMIT);
            check(newProxy.peak() <= FORWARD_LIMIT, "new PACS peak " + newProxy.peak() + " > " + FORWARD_LIMIT);
            for (Kill k : kills) {
                k.takeovers().forEach((group, d) -> check(d != null && d.compareTo(TAKEOVER_LIMIT) <= 0,
                        k.victim() + "'s partitions of " + group + " not taken over within " + TAKEOVER_LIMIT.toSeconds() + " s"));
                check(k.leasesExpired() != null, k.victim() + "'s leases did not expire");
            }
            check(joined != null, "retriever-4 never held partitions with the two surviving retrievers");
            check(processedByAdded > 0, "retriever-4 processed no study");
            check(consoleStatus == 200, "the console's /api/progress answered " + consoleStatus);

            String faults = "3× SIGKILL (" + String.join("; ", kills.stream().map(Kill::describe).toList()) + "); "
                    + addedAt + ", it retrieved " + processedByAdded + " studies";
            // the killed forwarder's unrecorded stores are sent again (one study at a time, its associations open)
            FaultResults.Row row = Reconciliation.check(SCENARIO, faults, env, Reconciliation.NewPacs.of(env.newPacs()), state,
                    Reconciliation.Expectation.allVerified().allowDuplicates(FORWARD_ASSOCIATIONS * Forwarder.OUTCOMES_PER_WRITE));
            String measured = "peak associations old " + oldProxy.peak() + "/" + RETRIEVE_LIMIT + " (" + oldProxy.total()
                    + " in all), new " + newProxy.peak() + "/" + FORWARD_LIMIT + " (" + newProxy.total() + "); " + elapsed
                    + " s from the start of the replicas to the end";
            row = problems.isEmpty()
                    ? new FaultResults.Row(row.scenario(), row.faults(), row.expected(), row.found(), row.duplicates(),
                            row.result(), measured + (row.detail().isBlank() ? "" : "; " + row.detail()))
                    : Scenarios.failed(row, String.join("; ", problems) + "; " + measured);
            FaultResults.append(row);
            rowWritten = true;
            assertThat(row.passed()).as("%s", row.markdown()).isTrue();
        } catch (Throwable t) {
            if (!rowWritten) {
                FaultResults.append(new FaultResults.Row(SCENARIO, kills.size() + " kills: "
                        + String.join("; ", kills.stream().map(Kill::describe).toList()), -1, -1, -1, false, t.toString()));
            }
            throw t;
        } finally {
            FaultEnvironment.deleteTree(dir.resolve("s3"));
        }
    }

    /** The migration every replica runs: C-GET through the old PACS's proxy, C-STORE through the new one's, paced. */
    private static FaultEnvironment.MigrationYaml migration(FaultEnvironment env, String id, CountingProxy oldProxy,
                                                            CountingProxy newProxy) {
        FaultEnvironment.MigrationYaml yaml = env.migrationYaml(id, Path.of("unused"));
        return yaml
                .set("source", "{aeTitle: %s, host: 127.0.0.1, port: %d, retrieveMethod: C-GET}"
                        .formatted(env.oldPacs().aeTitle(), oldProxy.port()))
                .set("destination", "{aeTitle: %s, host: 127.0.0.1, port: %d}".formatted(env.newPacs().aeTitle(), newProxy.port()))
                // paced so that the kills and the added replica land while there is work left
                .set("retrieve", "{maxAssociations: %d, leaseTtlSeconds: %d, pauseMillis: 4000}"
                        .formatted(RETRIEVE_LIMIT, LEASE_TTL_SECONDS))
                .set("forward", "{maxAssociations: %d, leaseTtlSeconds: %d, pauseMillis: 1000, concurrency: 1, associations: %d,"
                        .formatted(FORWARD_LIMIT, LEASE_TTL_SECONDS, FORWARD_ASSOCIATIONS) + " batchSize: 5}")
                .set("console", "{port: -1, token: %s}".formatted(TOKEN))
                .set("services", yaml.get("services").replace("partitions: 3", "partitions: " + PARTITIONS));
    }

    private static String storage(S3ProxyServer s3, Path data) {
        S3InstanceCache.Settings s = s3.settings("cache");
        return "{dataDirectory: %s, cache: {type: s3, endpoint: \"%s\", bucket: %s, accessKeyId: \"%s\", secretAccessKey: \"%s\"}}"
                .formatted(data.toAbsolutePath(), s.endpoint(), s.bucket(), s.accessKeyId(), s.secretAccessKey());
    }

    /**
     * SIGKILLs a replica of the role (one holding a lease on {@code remoteAe} when one does within 15 s) once its
     * groups are stable, then measures from the kill until the broker shows the survivors holding all the
     * partitions the group had, and until the victim's leases are gone.
     */
    private Kill kill(Replicas replicas, Role role, String remoteAe, List<String> groups, Admin admin,
                      CassandraStateStore state) {
        int members = replicas.live(role).size();
        Map<String, ConsumerGroups.Assignment> before = new LinkedHashMap<>();
        for (String group : groups) {
            ConsumerGroups.Assignment a = awaitStable(admin, group, members);
            assertThat(a).as("group %s never stable with %d members", group, members).isNotNull();
            before.put(group, a);
        }
        RoleProcess victim = leaseHolder(replicas.live(role), remoteAe, state);
        int leases = leasesOf(state, victim.pid()).size();
        long pid = victim.pid();
        long killedAt = System.nanoTime();
        replicas.kill(victim);
        Map<String, Duration> takeovers = new LinkedHashMap<>();
        for (String group : groups) {
            Duration d = ConsumerGroups.awaitAssignment(admin, group, members - 1, before.get(group).partitions(),
                    Duration.ofSeconds(90));
            takeovers.put(group, d == null ? null : Duration.ofNanos(System.nanoTime() - killedAt));
        }
        Duration expired = Reconciliation.await(() -> leasesOf(state, pid).isEmpty(), (LEASE_TTL_SECONDS + 30) * 1000L, 200)
                ? Duration.ofNanos(System.nanoTime() - killedAt) : null;
        replicas.assertAlive();
        return new Kill(victim.name(), pid, leases, takeovers, expired);
    }

    private static Set<TopicPartition> partitions(String topic) {
        return IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(topic, p)).collect(Collectors.toSet());
    }

    private static ConsumerGroups.Assignment awaitStable(Admin admin, String group, int members) {
        ConsumerGroups.Assignment[] found = {null};
        Reconciliation.await(() -> {
            ConsumerGroups.Assignment a = ConsumerGroups.stable(admin, group);
            found[0] = a;
            return a != null && a.members() == members && !a.partitions().isEmpty();
        }, 180_000, 200);
        return found[0] != null && found[0].members() == members ? found[0] : null;
    }

    /** A replica holding a lease on the PACS (so that its lease must expire), or the first if none does within 15 s. */
    private static RoleProcess leaseHolder(List<RoleProcess> candidates, String remoteAe, CassandraStateStore state) {
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            for (RoleProcess p : candidates) {
                if (leasesOf(state, p.pid()).stream().anyMatch(remoteAe::equals)) {
                    return p;
                }
            }
            Reconciliation.sleep(100);
        }
        return candidates.get(0);
    }

    /** The remote AEs of the lease rows a worker process holds (holders are {@code <our AE>@<pid>@<host>...}). */
    private static List<String> leasesOf(CassandraStateStore state, long pid) {
        String holder = FaultEnvironment.MIGRATOR_AE + "@" + pid + "@";
        return state.session().execute("SELECT remote_ae, holder FROM " + state.keyspace() + ".association_leases").all()
                .stream().filter(r -> r.getString("holder").startsWith(holder)).map(r -> r.getString("remote_ae")).toList();
    }

    /** The replica's {@code pacsmig_stage_processed_total} of the stage, from its /prometheus. */
    private static long processed(RoleProcess replica, StageId stage) throws Exception {
        String metrics = get(replica.adminPort(), "/prometheus", null).body();
        return Math.round(metrics.lines().filter(l -> l.startsWith("pacsmig_stage_processed_total{")
                        && l.contains("stage=\"" + stage.label() + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum());
    }

    private static int consoleProgressStatus(RoleProcess console) throws Exception {
        return get(console.applicationPort(), "/api/progress", TOKEN).statusCode();
    }

    private static HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitOrFail(Replicas replicas, Supplier<Boolean> condition, String what, CassandraStateStore state) {
        boolean reached = Reconciliation.await(() -> {
            replicas.assertAlive();
            return condition.get();
        }, 15 * 60_000L, 250);
        assertThat(reached).as("never reached: %s (%s)", what, Scenarios.safeCounts(state)).isTrue();
    }

    private void check(boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
        }
    }

    private static String seconds(Duration d) {
        return d == null ? "never" : String.format("%.1f s", d.toMillis() / 1000.0);
    }
}
