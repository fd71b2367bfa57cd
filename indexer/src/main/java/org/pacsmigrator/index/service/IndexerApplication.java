package org.pacsmigrator.index.service;

import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.dicom.Dicom;
import org.pacsmigrator.dicom.DicomClient;
import org.pacsmigrator.dicom.DicomNode;
import org.pacsmigrator.dicom.DicomTimeouts;
import org.pacsmigrator.index.ControlQuery;
import org.pacsmigrator.index.IndexProgress;
import org.pacsmigrator.index.IndexSettings;
import org.pacsmigrator.index.Indexer;
import org.pacsmigrator.schedule.Sleeper;
import org.pacsmigrator.service.PacsHealthCheck;
import org.pacsmigrator.service.WorkerApplication;
import org.pacsmigrator.service.WorkerConfiguration;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.topics.KafkaEventPublisher;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.TopicAdmin;
import org.pacsmigrator.topics.Topics;

/**
 * The indexer as a service of its own (distributed deployment): {@code java -cp ... 
 * org.pacsmigrator.index.service.IndexerApplication server indexer.yaml}. Indexes the range, then
 * keeps retrying failed days, running scheduled control queries and catch-up; REST under
 * {@code /index}, Prometheus metrics at {@code /prometheus} and health checks on the admin port.
 */
public final class IndexerApplication extends WorkerApplication<WorkerConfiguration> {
    private volatile Indexer indexer;

    public static void main(String[] args) throws Exception {
        new IndexerApplication().run(args);
    }

    @Override
    public String getName() {
        return "pacsmig-indexer";
    }

    @Override
    protected void start(WorkerConfiguration configuration, MigrationConfig m, Environment environment,
                         PrometheusMeterRegistry registry) {
        if ("embedded".equals(m.services.kafka) || "embedded".equals(m.services.cassandra)) {
            throw new IllegalArgumentException("services.kafka and services.cassandra: the indexer service needs their "
                    + "addresses ('embedded' is for the all-in-one run command)");
        }
        DicomClient dicom = Dicom.client(m.migrator.aeTitle, DicomTimeouts.defaults());
        DicomNode source = new DicomNode(m.source.aeTitle, m.source.host, m.source.port);
        Topics topics = new Topics(m.migrationId);
        KafkaSettings kafka = KafkaSettings.of(m.services.kafka, "pacsmig-" + m.migrationId, m.services.partitions);
        TopicAdmin.ensureTopics(kafka, topics.all());
        StateStore state = CassandraStateStore.open(m.services.cassandra, m.services.cassandraDatacenter,
                "pacsmig_" + m.migrationId);
        KafkaEventPublisher publisher = new KafkaEventPublisher(kafka);
        Clock clock = Clock.systemUTC();
        IndexProgress progress = new IndexProgress(registry, clock);
        indexer = new Indexer(dicom, source, state, publisher, topics, IndexSettings.from(m), clock, Sleeper.real(),
                progress);
        ControlQuery control = new ControlQuery(indexer);
        environment.jersey().register(new IndexerResource(indexer, control));
        environment.healthChecks().register("source-pacs", new PacsHealthCheck(dicom, source));
        environment.lifecycle().manage(new Managed() {
            @Override
            public void stop() {
                publisher.close();
                state.close();
            }
        });
        // managed last: stopped first, before the publisher and the state store it uses
        environment.lifecycle().manage(new IndexerLoop(indexer, control, clock, Sleeper.real()));
    }

    public Indexer indexer() {
        return indexer;
    }
}
