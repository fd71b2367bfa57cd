package org.pacsmigrator.dicom.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.PatientAttributes;
import org.pacsmigrator.testsupport.CharsetNames;
import org.pacsmigrator.testsupport.CharsetNames.Name;
import org.pacsmigrator.testsupport.TextImages;

/**
 * The patient attributes picked while a data set is scanned at receipt are exactly those a read of the file
 * gives ({@link DicomFiles#readPatientAttributes}): for names in every kind of character set, padded and
 * multi-valued values, and each uncompressed transfer syntax.
 */
class PatientValuesTest {
    private static final List<String> UNCOMPRESSED = List.of("1.2.840.10008.1.2.1", "1.2.840.10008.1.2",
            "1.2.840.10008.1.2.2");

    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("org.pacsmigrator.testsupport.CharsetNames#names")
    void aNameInAnyCharacterSetIsPickedAsTheFileReadsIt(Name name) throws Exception {
        Path file = image(new TextImages.Image(name.charset(), name.bytes(), "PID-1", "19700101", "F", "20240105",
                "1.2.3.4", "1.2.3.4.1", "1.2.3.4.1.1"));
        for (String syntax : UNCOMPRESSED) {
            Path encoded = dir.resolve("in-" + syntax + ".dcm");
            DicomFiles.transcode(file, encoded, syntax);
            PatientAttributes picked = scanned(encoded, syntax);
            assertThat(picked).as(syntax).usingRecursiveComparison()
                    .isEqualTo(PatientAttributes.of(DicomFiles.readPatientAttributes(encoded)));
            assertThat(picked.patientName()).isEqualTo(name.text().strip());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"PID-1 ", " PID-1", "A\\B ", "", "PID\\", "\\"})
    void paddedEmptyAndMultipleValuesArePickedAsTheFileReadsThem(String patientId) throws Exception {
        Name name = CharsetNames.names().filter(n -> "ISO_IR 100".equals(n.charset())).findFirst().orElseThrow();
        byte[] padded = Arrays.copyOf(name.bytes(), name.bytes().length + 3);
        padded[padded.length - 3] = ' ';
        Path file = image(new TextImages.Image(name.charset(), padded, patientId, "", " M", "20240105",
                "1.2.3.4", "1.2.3.4.1", "1.2.3.4.1.1"));
        assertThat(scanned(file, TextImages.EXPLICIT_LE)).usingRecursiveComparison()
                .isEqualTo(PatientAttributes.of(DicomFiles.readPatientAttributes(file)));
    }

    private Path image(TextImages.Image image) throws Exception {
        Path file = dir.resolve("image-" + System.nanoTime() + ".dcm");
        Files.write(file, TextImages.part10(image));
        return file;
    }

    /** The patient attributes a scan of the file's data set picks (as the storage SCP scans what it received). */
    private static PatientAttributes scanned(Path file, String transferSyntax) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        int start = 144 + ByteBuffer.wrap(bytes, 140, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        byte[] dataSet = Arrays.copyOfRange(bytes, start, bytes.length);
        DatasetScanner.Result r = DatasetScanner.scan(new ByteArrayInputStream(dataSet), dataSet.length, transferSyntax);
        assertThat(r.patient()).as("patient attributes picked").isNotNull();
        return r.patient();
    }
}
