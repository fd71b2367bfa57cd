package org.pacsmigrator.index;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which StudyInstanceUIDs from a C-FIND answer are indexed (they reach every later log line and query). */
class StudyRecorderUidTest {
    @Test
    void ordinaryAndSloppyUidsAreIndexedButControlCharactersAndOverlongOnesAreNot() {
        assertThat(StudyRecorder.usableUid("1.2.840.113619.2.55.3.604688119.971.1041")).isTrue();
        assertThat(StudyRecorder.usableUid("1.2.03.4a")).isTrue(); // invalid by PS3.5, but found in old archives
        assertThat(StudyRecorder.usableUid("1.2.3\nWARN forged log line")).isFalse();
        assertThat(StudyRecorder.usableUid("1.2.3\\1.2.4")).isFalse();
        assertThat(StudyRecorder.usableUid("")).isFalse();
        assertThat(StudyRecorder.usableUid("1." + "2".repeat(63))).isFalse();
    }
}
