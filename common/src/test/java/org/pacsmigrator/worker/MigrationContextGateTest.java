package org.pacsmigrator.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.testsupport.RealServices;
import org.pacsmigrator.throttle.AssociationGate;

/** Each PACS's gate leases its associations with the time-to-live of its own policy. */
class MigrationContextGateTest {
    @Test
    void theForwardLeaseTtlIsHonouredBesideTheRetrieveOne() throws Exception {
        try (MigrationContext ctx = open("ttl", "OLDTTL", "NEWTTL", "leaseTtlSeconds: 7", "leaseTtlSeconds: 45")) {
            AssociationGate old = ctx.sourceGate();
            AssociationGate destination = ctx.destinationGate();
            assertThat(old.remote()).isEqualTo(new DicomNode("OLDTTL", "127.0.0.1", 104));
            assertThat(destination.remote()).isEqualTo(new DicomNode("NEWTTL", "127.0.0.1", 105));
            assertThat(old.leaseTtl()).isEqualTo(Duration.ofSeconds(7));
            assertThat(destination.leaseTtl()).isEqualTo(Duration.ofSeconds(45));
            // and the lease row itself lives that long: held while a call runs, its TTL is the forward policy's
            CassandraStateStore state = (CassandraStateStore) ctx.state();
            int ttl = destination.call(() -> state.session().execute("SELECT TTL(holder) FROM " + state.keyspace()
                    + ".association_leases WHERE remote_ae = 'NEWTTL'").one().getInt(0));
            assertThat(ttl).isBetween(40, 45);
        }
    }

    @Test
    void everyRoleOfAProcessGetsThePacsOneGate() throws Exception {
        try (MigrationContext ctx = open("one", "OLDONE", "NEWONE", "maxAssociations: 3", "maxAssociations: 5")) {
            assertThat(ctx.sourceGate()).isSameAs(ctx.sourceGate()).isNotSameAs(ctx.destinationGate());
            assertThat(ctx.sourceGate().limit()).isSameAs(ctx.sourceGate().limit());
            assertThat(ctx.sourceGate().limit().max()).isEqualTo(3);
            assertThat(ctx.destinationGate().limit().max()).isEqualTo(5);
        }
    }

    /** A context on the real services whose old and new PACS have these AE titles and association policies. */
    private static MigrationContext open(String idPrefix, String oldAe, String newAe, String retrieve, String forward)
            throws Exception {
        MigrationConfig config = ConfigLoader.validate(ConfigLoader.parse("""
                migrationId: %s
                source: {aeTitle: %s, host: 127.0.0.1, port: 104}
                destination: {aeTitle: %s, host: 127.0.0.1, port: 105}
                index: {from: 2024-01-01, to: 2024-01-01}
                retrieve: {%s}
                forward: {%s}
                services: {kafka: "%s", cassandra: "%s", cassandraDatacenter: %s}
                """.formatted(RealServices.unique(idPrefix), oldAe, newAe, retrieve, forward, RealServices.kafka(),
                RealServices.cassandra(), RealServices.cassandraDatacenter())));
        return MigrationContext.open(config, RealServices.kafka(), RealServices.cassandra(), new SimpleMeterRegistry());
    }
}
