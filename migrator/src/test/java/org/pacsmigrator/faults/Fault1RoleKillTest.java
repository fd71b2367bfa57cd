package org.pacsmigrator.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.faults.RoleProcess.Role;
import org.pacsmigrator.forward.Forwarder;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.StudyState;

/**
 * Scenario 1: the four roles run as separate worker-service JVMs (indexer, retriever, forwarder,
 * verifier) against the shared Kafka and Cassandra; a seeded random schedule SIGKILLs one of them
 * at a random moment, restarts it at once, and repeats (6 kills by default, the indexer while it
 * indexes, then each other role at least once). Then every study must become VERIFIED and the
 * reconciliation must hold. A forwarder killed mid-association may have had instances stored
 * whose success it had not recorded yet (outcomes are recorded {@link Forwarder#OUTCOMES_PER_WRITE}
 * at a time): those are sent again, and they are the only duplicate C-STOREs allowed, at most
 * that many per open association (forward.concurrency × forward.associations) per forwarder kill.
 * The new PACS keeps one copy of each SOP Instance either way.
 *
 * <p>{@code -Dfaults.seed=} replays a schedule, {@code -Dfaults.kills=} changes the number of kills.
 */
@Tag("faults")
class Fault1RoleKillTest {
    private static final int FORWARD_CONCURRENCY = 2;
    private static final int FORWARD_ASSOCIATIONS = 2;

    @Test
    void sigkillOfEveryRoleAtRandomMomentsRepeatedlyLosesAndDuplicatesNothing() throws Exception {
        FaultEnvironment env = FaultEnvironment.get();
        long seed = Long.getLong("faults.seed", System.currentTimeMillis());
        int kills = Integer.getInteger("faults.kills", 6);
        Random random = new Random(seed);
        String scenario = "1 SIGKILL of retriever, forwarder, verifier, indexer (separate service JVMs)";
        List<String> injected = new ArrayList<>();
        Map<Role, RoleProcess> roles = new EnumMap<>(Role.class);
        boolean rowWritten = false;
        try {
            env.newPacs().deleteAll();
            Path dir = env.scenarioDirectory("1-role-kills");
            String id = FaultEnvironment.migrationId("fk");
            FaultEnvironment.MigrationYaml yaml = env.migrationYaml(id, dir.resolve("data"));
            // paced so that the migration lasts long enough for the kills to land in the middle of it
            Path migration = yaml
                    .set("index", "{from: %s, to: %s, pauseMillis: 1500}".formatted(FaultEnvironment.FIRST_DAY,
                            FaultEnvironment.FIRST_DAY.plusDays(FaultEnvironment.DAYS - 1)))
                    .set("retrieve", "{pauseMillis: 2000}")
                    .set("forward", "{pauseMillis: 1000, concurrency: %d, associations: %d, batchSize: 5}"
                            .formatted(FORWARD_CONCURRENCY, FORWARD_ASSOCIATIONS))
                    .write(dir.resolve("migration.yaml"));
            try (CassandraStateStore state = env.openState(id)) { // creates the schema once, before four JVMs race for it
                for (Role role : Role.WORKERS) {
                    Path serviceYaml = RoleProcess.writeServiceYaml(dir.resolve(role.lower() + ".yaml"), migration);
                    RoleProcess p = new RoleProcess(role, serviceYaml, dir);
                    roles.put(role, p);
                    p.start();
                }
                long t0 = System.nanoTime();
                // the schedule: the indexer first (while it indexes), every other role once in random order, then random roles
                List<Role> order = new ArrayList<>(List.of(Role.RETRIEVER, Role.FORWARDER, Role.VERIFIER));
                Collections.shuffle(order, random);
                order.add(0, Role.INDEXER);
                while (order.size() < kills) {
                    order.add(Role.WORKERS.get(1 + random.nextInt(3)));
                }
                // the moments: the indexer while it indexes; the others at random points of the migration's progress
                List<Double> moments = new ArrayList<>();
                for (int i = 1; i < kills; i++) {
                    moments.add(0.05 + 0.75 * random.nextDouble());
                }
                Collections.sort(moments);
                moments.add(0, 0.0);
                for (int k = 0; k < kills; k++) {
                    Role victim = order.get(k);
                    double moment = moments.get(k);
                    boolean reached = victim == Role.INDEXER
                            ? Reconciliation.await(() -> total(state) > 0, 300_000, 200)
                            : Reconciliation.await(() -> progress(env, state, victim) >= moment || finished(state), 600_000, 250);
                    assertThat(reached).as("no progress toward kill %d (%s at %.2f): %s; logs in %s", k + 1, victim, moment,
                            state.countStudiesByState(), dir).isTrue();
                    // and at least a few seconds after the previous restart, so that two kills never land back to back
                    Thread.sleep(k == 0 ? random.nextInt(2500) : 4000 + random.nextInt(6000));
                    assertAllAlive(roles);
                    if (finished(state)) {
                        injected.add("(migration complete before kill " + (k + 1) + ")");
                        break;
                    }
                    RoleProcess p = roles.get(victim);
                    long pid = p.pid();
                    int stored = env.newPacs().receivedStores().size();
                    p.kill();
                    long indexed = total(state);
                    injected.add(String.format("%s@%ds (pid %d; %d/%d studies indexed, %d/%d instances stored)", victim.lower(),
                            (System.nanoTime() - t0) / 1_000_000_000, pid, indexed, FaultEnvironment.STUDIES, stored,
                            env.totalInstances()));
                    Thread.sleep(random.nextInt(2000));
                    p.start();
                }
                long deadline = System.currentTimeMillis() + 15 * 60_000L;
                while (!finished(state)) {
                    assertAllAlive(roles);
                    assertThat(System.currentTimeMillis()).as("every study VERIFIED or FAILED within 15 min after the kills: %s",
                            state.countStudiesByState()).isLessThan(deadline);
                    Thread.sleep(1000);
                }
                int killed = (int) injected.stream().filter(s -> s.contains("(pid ")).count();
                int forwarderKills = roles.get(Role.FORWARDER).kills();
                String faults = killed + "× SIGKILL + restart (seed " + seed + "): " + String.join("; ", injected);
                FaultResults.Row row = Reconciliation.check(scenario, faults, env,
                        Reconciliation.NewPacs.of(env.newPacs()), state, Reconciliation.Expectation.allVerified()
                                .allowDuplicates(forwarderKills * FORWARD_CONCURRENCY * FORWARD_ASSOCIATIONS
                                        * Forwarder.OUTCOMES_PER_WRITE));
                boolean enoughFaults = killed >= Math.min(kills, 4);
                if (!enoughFaults) {
                    row = new FaultResults.Row(row.scenario(), row.faults(), row.expected(), row.found(), row.duplicates(),
                            false, "only " + killed + " kills landed before the migration ended; " + row.detail());
                }
                FaultResults.append(row);
                rowWritten = true;
                assertThat(row.passed()).as("%s", row.markdown()).isTrue();
            }
            FaultEnvironment.deleteTree(dir.resolve("data").resolve("cache"));
        } catch (Throwable t) {
            if (!rowWritten) {
                FaultResults.append(new FaultResults.Row(scenario, injected.size() + " kills (seed " + seed + "): "
                        + String.join("; ", injected), -1, -1, -1, false, t.toString()));
            }
            throw t;
        } finally {
            roles.values().forEach(RoleProcess::stop);
        }
    }

    /** How far the migration is, as the victim sees it: studies retrieved (retriever) or instances stored (others). */
    private static double progress(FaultEnvironment env, CassandraStateStore state, Role victim) {
        if (victim == Role.RETRIEVER) {
            Map<StudyState, Long> counts = state.countStudiesByState();
            long retrieved = counts.entrySet().stream().filter(e -> e.getKey().atLeast(StudyState.RETRIEVED))
                    .mapToLong(Map.Entry::getValue).sum();
            return retrieved / (double) FaultEnvironment.STUDIES;
        }
        return env.newPacs().receivedStores().size() / (double) env.totalInstances();
    }

    private static long total(CassandraStateStore state) {
        return state.countStudiesByState().values().stream().mapToLong(Long::longValue).sum();
    }

    private static boolean allVerified(CassandraStateStore state) {
        return state.countStudiesByState().getOrDefault(StudyState.VERIFIED, 0L) == FaultEnvironment.STUDIES;
    }

    /** Every study indexed and none in progress any more (VERIFIED, or FAILED: the reconciliation tells). */
    private static boolean finished(CassandraStateStore state) {
        Map<StudyState, Long> counts = state.countStudiesByState();
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        return total == FaultEnvironment.STUDIES
                && counts.getOrDefault(StudyState.VERIFIED, 0L) + counts.getOrDefault(StudyState.FAILED, 0L) == total;
    }

    private static void assertAllAlive(Map<Role, RoleProcess> roles) {
        for (RoleProcess p : roles.values()) {
            Integer exit = p.exitedOnItsOwn();
            assertThat(exit).as("%s exited on its own with %s; log %s:%n%s", p.role(), exit, p.log(), p.tail(60)).isNull();
        }
    }
}
