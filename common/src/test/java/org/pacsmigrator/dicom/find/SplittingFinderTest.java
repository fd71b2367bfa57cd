package org.pacsmigrator.dicom.find;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.pacsmigrator.dicom.DicomDataset;

/** The splitting of capped STUDY-level answers, against an in-memory archive with a cap (pure logic). */
class SplittingFinderTest {
    private static final LocalDate FIRST = LocalDate.of(2024, 5, 1);
    private static final SplitSettings SPLIT = new SplitSettings(Duration.ofMinutes(15), List.of("CT", "MR"), "0123456789");

    private static SplittingFinder finder(FakeCappedArchive archive) {
        return new SplittingFinder(archive, List.of("StudyInstanceUID"), SPLIT);
    }

    private static String da(LocalDate d) {
        return d.format(DateTimeFormatter.BASIC_ISO_DATE);
    }

    /** {@code perDay} studies on each of {@code days} days from FIRST, spread over the day, CT and MR alternating. */
    private static FakeCappedArchive archive(int cap, boolean silent, int days, int perDay) {
        FakeCappedArchive a = new FakeCappedArchive(cap, silent);
        for (int d = 0; d < days; d++) {
            for (int i = 0; i < perDay; i++) {
                int seconds = 7 * 3600 + i * (12 * 3600 / perDay);
                a.add("1.2." + d + "." + i, "P" + (d * perDay + i), da(FIRST.plusDays(d)),
                        String.format("%02d%02d%02d", seconds / 3600, seconds / 60 % 60, seconds % 60), i % 2 == 0 ? "CT" : "MR");
            }
        }
        return a;
    }

    private static Set<String> uids(FakeCappedArchive a) {
        return a.studies.stream().map(FakeCappedArchive.Study::uid).collect(Collectors.toSet());
    }

    @Test
    void anUncappedRangeIsOneQuery() throws Exception {
        FakeCappedArchive a = archive(50, false, 7, 3);
        SplittingFinder.Found found = finder(a).findRange(FIRST, FIRST.plusDays(6));
        assertThat(found.studies().keySet()).isEqualTo(uids(a));
        assertThat(a.asked).hasSize(1);
        assertThat(a.asked.get(0).get("StudyDate")).isEqualTo("20240501-20240507");
        assertThat(found.split()).startsWith("none");
    }

    @Test
    void aCappedRangeIsHalvedByDaysAndEveryDayIsAskedOnce() throws Exception {
        FakeCappedArchive a = archive(5, false, 7, 3); // 21 studies, 3 a day: a single day is never capped
        SplittingFinder.Found found = finder(a).findRange(FIRST, FIRST.plusDays(6));

        assertThat(found.studies().keySet()).isEqualTo(uids(a));
        assertThat(found.split()).contains("days:");
        // The answered (uncapped) ranges partition the range: no day twice, none left out.
        List<LocalDate> covered = new ArrayList<>();
        for (DicomDataset k : List.copyOf(a.asked)) {
            if (!a.find(k).capped()) {
                String[] r = k.get("StudyDate").split("-");
                LocalDate from = LocalDate.parse(r[0], DateTimeFormatter.BASIC_ISO_DATE);
                LocalDate to = r.length == 1 ? from : LocalDate.parse(r[1], DateTimeFormatter.BASIC_ISO_DATE);
                covered.addAll(from.datesUntil(to.plusDays(1)).toList());
            }
        }
        assertThat(covered).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(FIRST.datesUntil(FIRST.plusDays(7)).toList());
        assertThat(a.asked).noneMatch(k -> k.has("StudyTime") && !k.get("StudyTime").isEmpty());
    }

    @Test
    void aCappedDayInsideARangeIsSplitByTime() throws Exception {
        FakeCappedArchive a = archive(5, false, 4, 12); // 12 studies a day, cap 5
        SplittingFinder.Found found = finder(a).findRange(FIRST, FIRST.plusDays(3));

        assertThat(found.studies().keySet()).isEqualTo(uids(a));
        assertThat(found.split()).contains("days:4").contains("time:");
        assertThat(a.askedFor(da(FIRST.plusDays(2)))).as("queries of one day (whole day, then time spans)").isGreaterThan(2);
    }

    @Test
    void aSilentlyTruncatedRangeIsSplitByTheCount() throws Exception {
        // The PACS answers success with exactly the cap: only the count says the answer may be cut.
        FakeCappedArchive a = archive(5, true, 6, 4);
        SplittingFinder.Found found = finder(a).findRange(FIRST, FIRST.plusDays(5));
        assertThat(found.studies().keySet()).isEqualTo(uids(a));
        assertThat(found.split()).contains("days:");
    }

    @Test
    void aSpanStillCappedAtTheMinimumIsSplitByModality() throws Exception {
        FakeCappedArchive a = new FakeCappedArchive(3, false);
        for (int i = 0; i < 5; i++) { // the same second: time cannot split them
            a.add("1.3." + i, "P" + i, "20240501", "101010", i % 2 == 0 ? "CT" : "US");
        }
        SplittingFinder.Found found = finder(a).findRange(FIRST, FIRST);
        assertThat(found.studies()).hasSize(5);
        assertThat(found.split()).contains("modality:");
        // US is not in the configured list: it is followed because the capped answer showed it
        assertThat(a.asked).anyMatch(k -> k.get("ModalitiesInStudy").equals("US"));
    }

    @Test
    void whatCannotBeSplitFurtherIsThrownNeverReturnedPartial() {
        FakeCappedArchive a = new FakeCappedArchive(3, false);
        for (int i = 0; i < 8; i++) {
            a.add("1.4." + i, "P" + i, "20240502", "101010", "CT");
        }
        a.add("1.4.x", "Q", "20240501", "090000", "MR");
        assertThatThrownBy(() -> finder(a).findRange(FIRST, FIRST.plusDays(1)))
                .isInstanceOf(CappedResultException.class).hasMessageContaining("20240502").hasMessageContaining("modality CT")
                .hasMessageContaining("still capped");
    }

    @Test
    void everyQueryAsksTheCallersKeysAndWhatSplittingReads() throws Exception {
        FakeCappedArchive a = archive(5, false, 3, 8);
        new SplittingFinder(a, List.of("AccessionNumber", "StudyInstanceUID"), SPLIT).findRange(FIRST, FIRST.plusDays(2));
        assertThat(a.asked).isNotEmpty().allSatisfy(k -> assertThat(k.asMap()).containsKeys("AccessionNumber",
                "StudyInstanceUID", "PatientID", "StudyDate", "ModalitiesInStudy"));
    }

    @Test
    void undatedStudiesAreSplitByPatientIdAndCollisionsKept() throws Exception {
        FakeCappedArchive a = archive(4, false, 2, 6); // dated studies: the undated pass must leave them out
        for (int i = 0; i < 9; i++) {
            a.add("2.9." + i, "1" + i, "", "", "CT");
        }
        a.add("2.9.0", "77", "", "", "CT"); // the same StudyInstanceUID under another PatientID
        SplittingFinder.Found found = finder(a).findUndated();

        assertThat(found.studies().keySet()).containsExactlyInAnyOrder("2.9.0", "2.9.1", "2.9.2", "2.9.3", "2.9.4",
                "2.9.5", "2.9.6", "2.9.7", "2.9.8");
        assertThat(found.patientIdsOfCollisions()).containsOnlyKeys("2.9.0");
        assertThat(found.patientIdsOfCollisions().get("2.9.0")).containsExactly("10", "77");
        assertThat(found.split()).contains("patientId:");
    }
}
