package org.pacsmigrator.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator.GeneratedStudy;

class SyntheticPacsGeneratorTest {
    private static final LocalDate DAY = LocalDate.of(2024, 3, 1);

    @Test
    void sameSeedGivesByteIdenticalFilesAndDifferentSeedGivesOtherUids(@TempDir Path tmp) throws Exception {
        SyntheticPacsGenerator a = new SyntheticPacsGenerator(7, 3, DAY, 2, 2, 2, 2);
        SyntheticPacsGenerator b = new SyntheticPacsGenerator(7, 3, DAY, 2, 2, 2, 2);
        SyntheticPacsGenerator other = new SyntheticPacsGenerator(8, 3, DAY, 2, 2, 2, 2);
        GeneratedStudy study = a.plan().toList().get(2);
        List<Path> first = a.writeStudy(study, tmp.resolve("a"));
        List<Path> second = b.writeStudy(b.plan().toList().get(2), tmp.resolve("b"));
        assertThat(first).hasSize(5); // 2 series x 2 + the secondary capture of every third study
        for (int i = 0; i < first.size(); i++) {
            assertThat(Files.readAllBytes(first.get(i))).isEqualTo(Files.readAllBytes(second.get(i)));
        }
        assertThat(Files.size(first.get(0))).isGreaterThan(512 * 512 * 2);
        assertThat(DicomFiles.pixelDataSha256(first.get(0))).isNotEqualTo(DicomFiles.pixelDataSha256(first.get(1)));

        List<String> uids = a.plan().flatMap(s -> s.sopInstanceUids().stream()).toList();
        List<String> otherUids = other.plan().flatMap(s -> s.sopInstanceUids().stream()).toList();
        assertThat(uids).doesNotContainAnyElementsOf(otherUids).doesNotHaveDuplicates();
        assertThat(a.plan().map(GeneratedStudy::studyInstanceUid))
                .doesNotContainAnyElementsOf(other.plan().map(GeneratedStudy::studyInstanceUid).toList());
    }

    @Test
    void filesCarryTheExpectedAttributes(@TempDir Path tmp) throws Exception {
        SyntheticPacsGenerator g = new SyntheticPacsGenerator(1, 3, DAY, 3, 1, 1, 1);
        List<GeneratedStudy> plan = g.plan().toList();
        assertThat(plan).extracting(GeneratedStudy::studyDate).containsExactly(DAY, DAY.plusDays(1), DAY.plusDays(2));
        GeneratedStudy study = plan.get(2);
        List<Path> files = g.writeStudy(study, tmp);
        DicomDataset image = DicomFiles.readAttributes(files.get(0));
        assertThat(image.get("PatientName")).isEqualTo("Müller^Jürgen");
        assertThat(image.get("SpecificCharacterSet")).isEqualTo("ISO_IR 100");
        assertThat(image.get("StudyDate")).isEqualTo("20240303");
        assertThat(image.get("Rows")).isEqualTo("512");
        assertThat(image.get("StudyInstanceUID")).isEqualTo(study.studyInstanceUid()).startsWith("2.25.");
        assertThat(image.has("PixelData")).isFalse();
        DicomDataset sc = DicomFiles.readAttributes(files.get(1));
        assertThat(sc.get("SOPClassUID")).isEqualTo("1.2.840.10008.5.1.4.1.1.7");
        assertThat(sc.get("BitsAllocated")).isEqualTo("8");
        DicomFileInfo info = DicomFiles.readInfo(files.get(0));
        assertThat(info.transferSyntaxUid()).isEqualTo("1.2.840.10008.1.2.1");
        assertThat(info.sopInstanceUid()).isEqualTo(study.series().get(0).sopInstanceUids().get(0));
    }

    @Test
    void forEachStudyFilesHandsOverOneStudyAtATimeAndDeletesItsFiles(@TempDir Path tmp) throws Exception {
        SyntheticPacsGenerator g = new SyntheticPacsGenerator(5, 3, DAY, 1, 1, 2, 1).small();
        List<String> handed = new ArrayList<>();
        g.forEachStudyFiles(tmp, (study, files) -> {
            assertThat(files).hasSize(study.instanceCount()).allMatch(Files::isRegularFile);
            try (Stream<Path> onDisk = Files.walk(tmp)) {
                assertThat(onDisk.filter(Files::isRegularFile)).hasSameSizeAs(files);
            }
            handed.add(study.studyInstanceUid());
        });
        assertThat(handed).isEqualTo(g.plan().map(GeneratedStudy::studyInstanceUid).toList());
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aFailingHandlerStopsTheGenerationAndLeavesNoFiles(@TempDir Path tmp) {
        SyntheticPacsGenerator g = new SyntheticPacsGenerator(5, 3, DAY, 1, 1, 2, 1).small();
        assertThatThrownBy(() -> g.forEachStudyFiles(tmp, (study, files) -> {
            throw new IOException("PACS down");
        })).hasMessage("PACS down");
        assertThat(tmp.toFile().list()).isEmpty();
    }
}
