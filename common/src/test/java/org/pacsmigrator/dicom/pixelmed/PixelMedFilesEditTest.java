package org.pacsmigrator.dicom.pixelmed;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.io.BufferedInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pacsmigrator.cache.Sha256;
import org.pacsmigrator.dicom.DicomFileInfo;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.EditResult;
import org.pacsmigrator.dicom.EditableDataset;
import org.pacsmigrator.dicom.OutgoingInstance;
import org.pacsmigrator.dicom.synthetic.SyntheticPacsGenerator;

/**
 * Rules rewrite only the header of an ordinary image and copy its pixel data bytes; files where
 * that would be wrong (elements after the pixel data, a nested icon pixel data, implicit VR) still
 * come out complete and parseable.
 */
class PixelMedFilesEditTest {
    private static final String EXPLICIT_LITTLE = "1.2.840.10008.1.2.1";
    private static final String IMPLICIT_LITTLE = "1.2.840.10008.1.2";

    @TempDir
    Path dir;
    private Path original;

    @BeforeEach
    void generate() throws Exception {
        SyntheticPacsGenerator generator = new SyntheticPacsGenerator(11, 1, LocalDate.of(2024, 5, 1), 1, 1, 1, 1);
        original = generator.writeStudy(generator.plan().findFirst().orElseThrow(), dir).get(0);
    }

    @Test
    void anOrdinaryImageKeepsItsPixelBytesExactlyAndGetsTheNewValue() throws Exception {
        long pixelStart = pixelDataStart(original);
        assertThat(pixelStart).as("the generated image ends with its pixel data").isPositive();
        Path out = dir.resolve("out.dcm");

        List<EditableDataset.Change> changes = DicomFiles.edit(original, out, ds -> ds.set("InstitutionName", "NEW HOSPITAL"));

        assertThat(changes).extracting(EditableDataset.Change::attribute).containsExactly("InstitutionName");
        assertThat(DicomFiles.readAttributes(out).get("InstitutionName")).isEqualTo("NEW HOSPITAL");
        assertThat(DicomFiles.readAttributes(out).get("SOPInstanceUID")).isEqualTo(DicomFiles.readAttributes(original).get("SOPInstanceUID"));
        byte[] before = Files.readAllBytes(original);
        byte[] after = Files.readAllBytes(out);
        long outPixelStart = pixelDataStart(out);
        assertThat(Arrays.copyOfRange(after, (int) outPixelStart, after.length))
                .isEqualTo(Arrays.copyOfRange(before, (int) pixelStart, before.length));
        assertThat(DicomFiles.pixelDataSha256(out)).isEqualTo(DicomFiles.pixelDataSha256(original));
    }

    @Test
    void nothingIsWrittenWhenNothingChanged() throws Exception {
        Path out = dir.resolve("unchanged.dcm");
        assertThat(DicomFiles.edit(original, out, ds -> ds.get("PatientID"))).isEmpty();
        assertThat(out).doesNotExist();
    }

    @Test
    void anElementAfterThePixelDataIsKeptAndTheRuleStillApplies() throws Exception {
        Path withTrailer = rewrite(original, EXPLICIT_LITTLE, list -> {
            OtherByteAttribute padding = new OtherByteAttribute(new AttributeTag(0xFFFC, 0xFFFC));
            padding.setValues(new byte[] {1, 2, 3, 4});
            list.put(padding);
        });
        assertThat(pixelDataStart(withTrailer)).as("pixel data is not last").isNegative();
        Path out = dir.resolve("out-trailer.dcm");

        DicomFiles.edit(withTrailer, out, ds -> ds.set("InstitutionName", "NEW HOSPITAL"));

        AttributeList back = readAll(out);
        assertThat(back.get(new AttributeTag(0xFFFC, 0xFFFC)).getByteValues()).containsExactly(1, 2, 3, 4);
        assertThat(back.get(TagFromName.InstitutionName).getSingleStringValueOrEmptyString()).isEqualTo("NEW HOSPITAL");
        assertThat(DicomFiles.pixelDataSha256(out)).isEqualTo(DicomFiles.pixelDataSha256(original));
    }

    @Test
    void aNestedIconPixelDataIsNotMistakenForTheImage() throws Exception {
        Path withIcon = rewrite(original, EXPLICIT_LITTLE, list -> {
            SequenceAttribute icon = new SequenceAttribute(TagFromName.IconImageSequence);
            AttributeList item = new AttributeList();
            OtherByteAttribute iconPixels = new OtherByteAttribute(TagFromName.PixelData);
            iconPixels.setValues(new byte[64]);
            item.put(iconPixels);
            icon.addItem(item);
            list.put(icon);
        });
        Path out = dir.resolve("out-icon.dcm");

        DicomFiles.edit(withIcon, out, ds -> ds.set("InstitutionName", "NEW HOSPITAL"));

        AttributeList back = readAll(out);
        assertThat(back.get(TagFromName.IconImageSequence)).isNotNull();
        assertThat(back.get(TagFromName.InstitutionName).getSingleStringValueOrEmptyString()).isEqualTo("NEW HOSPITAL");
        assertThat(DicomFiles.pixelDataSha256(out)).isEqualTo(DicomFiles.pixelDataSha256(original));
    }

    @Test
    void implicitVrLittleEndianTakesTheHeaderOnlyPathToo() throws Exception {
        Path implicit = rewrite(original, IMPLICIT_LITTLE, list -> { });
        assertThat(pixelDataStart(implicit)).isPositive();
        Path out = dir.resolve("out-implicit.dcm");

        DicomFiles.edit(implicit, out, ds -> ds.set("InstitutionName", "NEW HOSPITAL"));

        assertThat(DicomFiles.readInfo(out).transferSyntaxUid()).isEqualTo(IMPLICIT_LITTLE);
        assertThat(DicomFiles.readAttributes(out).get("InstitutionName")).isEqualTo("NEW HOSPITAL");
        assertThat(DicomFiles.pixelDataSha256(out)).isEqualTo(DicomFiles.pixelDataSha256(original));
    }

    @Test
    void hashesComputedOnTheWayAreThoseOfTheFilesOnEveryPath() throws Exception {
        Path withTrailer = rewrite(original, EXPLICIT_LITTLE, list -> {
            OtherByteAttribute padding = new OtherByteAttribute(new AttributeTag(0xFFFC, 0xFFFC));
            padding.setValues(new byte[] {1, 2, 3, 4});
            list.put(padding);
        });
        for (Path source : List.of(original, withTrailer)) { // pixel bytes copied; parsed whole
            Path out = dir.resolve("hashed-" + source.getFileName());

            EditResult edit = DicomFiles.editHashing(source, out, ds -> ds.set("InstitutionName", "NEW HOSPITAL"), false);

            assertThat(edit.sourceSha256()).as("source %s", source).isEqualTo(Sha256.of(source));
            assertThat(edit.writtenSha256()).as("written from %s", source).isEqualTo(Sha256.of(out));
            DicomFileInfo written = DicomFiles.readInfo(out);
            assertThat(edit.written()).isEqualTo(new OutgoingInstance(out, written.sopClassUid(), written.sopInstanceUid(),
                    written.transferSyntaxUid()));
        }
        Path untouched = dir.resolve("untouched.dcm");
        EditResult unchanged = DicomFiles.editHashing(original, untouched, ds -> ds.get("PatientID"), true);
        assertThat(unchanged.changed()).isFalse();
        assertThat(unchanged.sourceSha256()).isEqualTo(Sha256.of(original));
        assertThat(untouched).doesNotExist();
        assertThat(DicomFiles.editHashing(original, untouched, ds -> ds.get("PatientID"), false).sourceSha256())
                .as("not asked for: only the header was read").isNull();
    }

    private Path rewrite(Path in, String transferSyntax, Part10Variants.ListChange change) throws Exception {
        return Part10Variants.rewrite(in, transferSyntax, change, dir);
    }

    private static AttributeList readAll(Path file) throws Exception {
        AttributeList list = new AttributeList();
        list.read(file.toString());
        return list;
    }

    private static long pixelDataStart(Path file) throws Exception {
        AttributeList header = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(
                new BufferedInputStream(Files.newInputStream(file)))) {
            long stop = header.read(in, TagFromName.PixelData);
            return RawPixelData.startIfLast(file, stop, header.get(TagFromName.TransferSyntaxUID).getSingleStringValueOrEmptyString());
        }
    }
}
