package org.pacsmigrator.migrator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.pacsmigrator.config.ConfigException;
import org.pacsmigrator.config.ConfigLoader;
import org.pacsmigrator.config.MigrationConfig;
import org.pacsmigrator.state.CassandraStateStore;
import org.pacsmigrator.state.StateStore;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.StageId;
import org.pacsmigrator.topics.StageReplay;
import org.pacsmigrator.topics.TopicAdmin;
import org.pacsmigrator.topics.Topics;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code replay}: sends chosen dead letters back to their stage (by category, by study, or all)
 * and resets those studies from FAILED so that they are retried and counted as pending again.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Sends chosen dead letters back to their stage and resets those studies from FAILED.",
                "With embedded services the letters wait in Kafka until the next 'run'; with external",
                "services running workers pick them up at once."},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:the chosen dead letters were sent back",
                MigratorCli.EXIT_CONFIG_ERROR, MigratorCli.EXIT_INTERNAL_FAILURE})
final class ReplayCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "the migration's YAML file")
    Path config;

    @Option(names = "--stage", split = ",",
            description = "stage(s) whose dead letters to replay: retrieve, forward, verify (default: every stage)")
    List<String> stages = new ArrayList<>();

    @Option(names = "--category", description = "only letters of this category (repeatable), e.g. 'association refused'")
    List<String> categories = new ArrayList<>();

    @Option(names = "--study", description = "only letters of this StudyInstanceUID (repeatable)")
    List<String> studies = new ArrayList<>();

    @Option(names = "--all", description = "every pending dead letter of the stage(s)")
    boolean all;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!all && categories.isEmpty() && studies.isEmpty()) {
            spec.commandLine().getErr().println("choose what to replay: --category, --study or --all");
            return MigratorCli.CONFIG_ERROR;
        }
        MigrationConfig c;
        List<StageId> chosen = new ArrayList<>();
        try {
            c = ConfigLoader.load(config);
            for (String s : stages) {
                chosen.add(StageId.parseConsuming(s));
            }
            if (chosen.isEmpty()) {
                chosen.addAll(StageId.CONSUMING); // a category may stand in any stage's letters
            }
        } catch (ConfigException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("configuration error: " + e.getMessage());
            return MigratorCli.CONFIG_ERROR;
        }
        Set<String> cats = all ? Set.of() : new LinkedHashSet<>(categories);
        Set<String> uids = all ? Set.of() : new LinkedHashSet<>(studies);
        try (EmbeddedServices services = EmbeddedServices.start(c);
             StateStore state = CassandraStateStore.open(services.cassandraContactPoint(),
                     c.services.cassandraDatacenter, "pacsmig_" + c.migrationId)) {
            Topics topics = new Topics(c.migrationId);
            KafkaSettings kafka = KafkaSettings.of(services.kafkaBootstrap(), c);
            TopicAdmin.ensureTopics(kafka, topics.all());
            Map<StageId, Set<String>> replayed = StageReplay.replay(kafka, state, topics, chosen,
                    new StageReplay.Selection(cats, uids));
            var out = spec.commandLine().getOut();
            for (Map.Entry<StageId, Set<String>> e : replayed.entrySet()) {
                out.printf("%s: %d studies sent back%n", e.getKey().label(),
                        e.getValue().size());
            }
            out.flush();
        }
        return MigratorCli.COMPLETE;
    }
}
