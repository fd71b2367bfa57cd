package org.pacsmigrator.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.pacsmigrator.state.StudyState;

/** The names derived from a stage are stored (offsets, pause flags, dead letters): they must not drift. */
class StageIdTest {
    private final Topics topics = new Topics("demo");

    @Test
    void consumerGroupsKeepTheirStoredNames() {
        assertThat(StageId.RETRIEVE.consumerGroup(topics)).isEqualTo("demo-retriever");
        assertThat(StageId.FORWARD.consumerGroup(topics)).isEqualTo("demo-forwarder");
        assertThat(StageId.VERIFY.consumerGroup(topics)).isEqualTo("demo-verifier");
        assertThatThrownBy(() -> StageId.INDEX.consumerGroup(topics)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void labelsAreThePauseKeysAndRolesTheServiceNames() {
        assertThat(StageId.values()).extracting(StageId::label).containsExactly("index", "retrieve", "forward", "verify");
        assertThat(StageId.values()).extracting(StageId::role)
                .containsExactly("indexer", "retriever", "forwarder", "verifier");
    }

    @Test
    void topicsAndReplayStates() {
        assertThat(StageId.RETRIEVE.inputTopic(topics)).isEqualTo(topics.indexed());
        assertThat(StageId.FORWARD.deadLetterTopic(topics)).isEqualTo("demo.studies.retrieved.dlq");
        assertThat(StageId.VERIFY.inputState()).isEqualTo(StudyState.FORWARDED);
        assertThat(StageId.INDEX.consumesTopic()).isFalse();
    }

    @Test
    void aForwardLetterWhoseCacheObjectWasBadIsReplayedIntoRetrieve() {
        assertThat(StageId.FORWARD.replayTarget("cache object corrupt")).isEqualTo(StageId.RETRIEVE);
        assertThat(StageId.FORWARD.replayTarget("cache object missing")).isEqualTo(StageId.RETRIEVE);
        assertThat(StageId.FORWARD.replayTarget("association rejected")).isEqualTo(StageId.FORWARD);
        assertThat(StageId.VERIFY.replayTarget("cache object corrupt")).isEqualTo(StageId.VERIFY);
    }

    @Test
    void parseAcceptsLabelAndRole() {
        assertThat(StageId.parse("forward")).isEqualTo(StageId.FORWARD);
        assertThat(StageId.parse(" Forwarder ")).isEqualTo(StageId.FORWARD);
        assertThat(StageId.parse("indexer")).isEqualTo(StageId.INDEX);
        assertThatThrownBy(() -> StageId.parse("send")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StageId.parseConsuming("index")).isInstanceOf(IllegalArgumentException.class);
    }
}
