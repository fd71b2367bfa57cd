package org.pacsmigrator.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.pacsmigrator.faults.RoleProcess.Role;

/**
 * Several replicas per role, each a service JVM of its own as a pod would be: its own migration config
 * (the same migration, its own data directory) and service YAML under {@code <dir>/<name>}, e.g.
 * {@code retriever-2}. Killed replicas stay dead; the others must stay alive.
 */
final class Replicas implements AutoCloseable {
    private final Path dir;
    private final FaultEnvironment.MigrationYaml migration;
    private final Function<Path, String> storage;
    private final Map<String, RoleProcess> all = new LinkedHashMap<>();
    private final List<RoleProcess> killed = new ArrayList<>();

    /** {@code storage}: the {@code storage} section for a replica's data directory. */
    Replicas(Path dir, FaultEnvironment.MigrationYaml migration, Function<Path, String> storage) {
        this.dir = dir;
        this.migration = migration;
        this.storage = storage;
    }

    /** Starts replica {@code n} of the role (n from 1). */
    RoleProcess start(Role role, int n) {
        String name = role.lower() + "-" + n;
        Path home = dir.resolve(name);
        Path config = migration.set("storage", storage.apply(home.resolve("data"))).write(home.resolve("migration.yaml"));
        RoleProcess p = new RoleProcess(role, name, RoleProcess.writeServiceYaml(home.resolve("service.yaml"), config), dir);
        all.put(name, p);
        p.start();
        return p;
    }

    /** The replicas of a role that were not killed. */
    List<RoleProcess> live(Role role) {
        return all.values().stream().filter(p -> p.role() == role && !killed.contains(p)).toList();
    }

    RoleProcess get(String name) {
        return all.get(name);
    }

    void kill(RoleProcess p) {
        killed.add(p);
        p.kill();
    }

    /** Fails with the replica's log tail when one that was not killed has exited. */
    void assertAlive() {
        for (RoleProcess p : all.values()) {
            if (!killed.contains(p)) {
                Integer exit = p.exitedOnItsOwn();
                assertThat(exit).as("%s exited on its own with %s; log %s:%n%s", p.name(), exit, p.log(), p.tail(60)).isNull();
            }
        }
    }

    @Override
    public void close() {
        all.values().forEach(RoleProcess::stop);
    }
}
