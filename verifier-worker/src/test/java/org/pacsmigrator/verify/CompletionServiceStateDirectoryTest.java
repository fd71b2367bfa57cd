package org.pacsmigrator.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.harness.FileModes;
import org.pacsmigrator.report.Completion;
import org.pacsmigrator.testsupport.RealServices;
import org.pacsmigrator.topics.KafkaSettings;
import org.pacsmigrator.topics.Topics;

/** The topology's state directory (study UIDs and counts) is its user's only, though Kafka Streams makes it 0750. */
class CompletionServiceStateDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void theStateDirectoriesAreOwnerOnly() {
        // a broker that answers: the close leaves the group without waiting out its timeout
        Topics topics = new Topics(RealServices.unique("modes"));
        Path state = dir.resolve("streams");
        try (CompletionService completion = new CompletionService(KafkaSettings.of(RealServices.kafka(), "modes"), topics,
                Completion.SENT_AND_CFIND, null, state)) {
            assertThat(FileModes.of(state)).isEqualTo("rwx------");
            assertThat(FileModes.of(state.resolve(CompletionService.applicationId(topics)))).isEqualTo("rwx------");
        }
    }
}
