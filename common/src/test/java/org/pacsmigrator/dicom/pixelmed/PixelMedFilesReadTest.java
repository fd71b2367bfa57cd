package org.pacsmigrator.dicom.pixelmed;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.dicom.DicomFileInfo;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;

/**
 * The header reads stop right after what they need, whatever the file holds: an image without
 * Study ID is not read to its end (a multi-frame image would otherwise be loaded whole), and tags
 * of later groups inside a sequence item do not end the read early.
 */
class PixelMedFilesReadTest {
    @TempDir
    Path dir;
    private Path original;
    private AttributeList originalList;

    @BeforeEach
    void generate() throws Exception {
        SyntheticPacsGenerator generator = new SyntheticPacsGenerator(12, 1, LocalDate.of(2024, 6, 1), 1, 1, 1, 1);
        original = generator.writeStudy(generator.plan().findFirst().orElseThrow(), dir).get(0);
        originalList = new AttributeList();
        originalList.read(original.toString());
    }

    @Test
    void withoutStudyIdTheIdentifyingReadStillStopsBeforeThePixelData() throws Exception {
        Path noStudyId = rewrite(list -> list.remove(TagFromName.StudyID));
        long pixelBytes = originalList.get(TagFromName.PixelData).getVL();
        assertThat(pixelBytes).isGreaterThan(100_000);
        DicomFiles.readInfo(original); // classes loaded, caches warm

        long before = allocatedBytes();
        DicomFileInfo info = DicomFiles.readInfo(noStudyId);
        long allocated = allocatedBytes() - before;

        assertThat(info.seriesInstanceUid()).isEqualTo(value(TagFromName.SeriesInstanceUID));
        assertThat(info.patientId()).isEqualTo(value(TagFromName.PatientID));
        assertThat(allocated).as("bytes allocated reading the header of a %d-byte pixel data image", pixelBytes)
                .isLessThan(pixelBytes / 2);
        assertThat(DicomFiles.readAttributes(noStudyId).get("Rows")).isEqualTo(value(TagFromName.Rows));
    }

    private static long allocatedBytes() {
        return ((ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    @Test
    void laterGroupsInsideASequenceItemDoNotEndTheRead() throws Exception {
        Path withSequence = rewrite(list -> {
            SequenceAttribute related = new SequenceAttribute(TagFromName.ReferencedSeriesSequence); // (0008,1115)
            AttributeList item = new AttributeList();
            UniqueIdentifierAttribute series = new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID);
            series.addValue("1.2.3.4.5.6.7");
            item.put(series);
            UniqueIdentifierAttribute study = new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID);
            study.addValue("1.2.3.4.5.6");
            item.put(study);
            related.addItem(item);
            list.put(related);
        });

        DicomFileInfo info = DicomFiles.readInfo(withSequence);

        assertThat(info.studyInstanceUid()).isEqualTo(value(TagFromName.StudyInstanceUID));
        assertThat(info.seriesInstanceUid()).isEqualTo(value(TagFromName.SeriesInstanceUID));
        assertThat(info.patientId()).isEqualTo(value(TagFromName.PatientID));
        var patient = DicomFiles.readPatientAttributes(withSequence);
        assertThat(patient.get("PatientName")).isEqualTo(value(TagFromName.PatientName));
        assertThat(patient.get("PatientBirthDate")).isEqualTo(value(TagFromName.PatientBirthDate));
        assertThat(patient.get("Rows")).as("group 0028 is not read").isEmpty();
    }

    private String value(AttributeTag tag) {
        return originalList.get(tag).getSingleStringValueOrEmptyString();
    }

    private Path rewrite(Part10Variants.ListChange change) throws Exception {
        String transferSyntax = originalList.get(TagFromName.TransferSyntaxUID).getSingleStringValueOrEmptyString();
        return Part10Variants.rewrite(original, transferSyntax, change, dir);
    }
}
