package org.pacsmigrator.topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.DicomException;

/** Labels are stored (Cassandra, dead-letter headers, reports) and typed by operators: they must not drift. */
class FailureCategoryTest {
    @Test
    void storedLabelsReadBackAndUnknownOnesAreShownAsTheyAre() {
        assertThat(FailureCategory.parse("cache object corrupt")).contains(FailureCategory.CACHE_OBJECT_CORRUPT);
        assertThat(FailureCategory.parse("UID collision")).contains(FailureCategory.UID_COLLISION);
        assertThat(FailureCategory.parse("a category of an older release")).isEmpty();
        assertThat(FailureCategory.parse(null)).isEmpty();
        assertThat(FailureCategory.actionFor("a category of an older release"))
                .contains("'a category of an older release'", "replay --category");
    }

    @Test
    void actionsOfTheOperator() {
        assertThat(FailureCategory.actionFor(null)).isEqualTo(FailureCategory.RESEND);
        assertThat(FailureCategory.actionFor("missing in new PACS")).isEqualTo(FailureCategory.RESEND);
        assertThat(FailureCategory.actionFor("UID collision")).isEqualTo(FailureCategory.UID_COLLISION_ACTION);
        assertThat(FailureCategory.actionFor("patient ID conflict")).contains("forward.patientIdConflict");
        assertThat(FailureCategory.actionFor("cache object missing")).contains("retrieved again");
        assertThat(FailureCategory.actionFor("timeout")).isEqualTo("the study failed as 'timeout': remove the cause, "
                + "then replay --category 'timeout'");
    }

    @Test
    void whatIsRetriedAndWhatIsNot() {
        assertThat(FailureCategory.ASSOCIATION_REFUSED.permanent()).isFalse();
        assertThat(FailureCategory.STORAGE_SCP_SATURATED.permanent()).isFalse();
        assertThat(FailureCategory.MISSING_INSTANCES.permanent()).isTrue();
        assertThat(FailureCategory.PATIENT_ID_CONFLICT.permanent()).isTrue();
    }

    @Test
    void theCategoryOfAnException() {
        assertThat(FailureCategory.of(new DicomException(DicomException.Category.CONNECTION_REFUSED, "down"),
                StageId.FORWARD)).isEqualTo(FailureCategory.ASSOCIATION_REFUSED);
        assertThat(FailureCategory.of(new StageFailure(FailureCategory.NOT_SENT, "x"), StageId.VERIFY))
                .isEqualTo(FailureCategory.NOT_SENT);
        assertThat(FailureCategory.of(new IOException("disk"), StageId.RETRIEVE)).isEqualTo(FailureCategory.RETRIEVER_ERROR);
        assertThat(FailureCategory.RETRIEVER_ERROR.label()).isEqualTo("retriever error");
        assertThat(FailureCategory.of(new IOException("disk"), null)).isEqualTo(FailureCategory.UNEXPECTED);
    }

    @Test
    void aBadCacheObjectIsReplayedIntoTheRetrieveStage() {
        assertThat(FailureCategory.CACHE_OBJECT_CORRUPT.replayTarget(StageId.FORWARD)).isEqualTo(StageId.RETRIEVE);
        assertThat(FailureCategory.TIMEOUT.replayTarget(StageId.FORWARD)).isEqualTo(StageId.FORWARD);
        assertThat(StageId.FORWARD.replayTarget("cache object missing")).isEqualTo(StageId.RETRIEVE);
        assertThat(StageId.FORWARD.replayTarget("unknown label")).isEqualTo(StageId.FORWARD);
    }
}
