package org.pacsmigrator.dicom.pixelmed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.AttributeList;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pacsmigrator.dicom.DicomDataset;
import org.pacsmigrator.dicom.DicomFiles;
import org.pacsmigrator.dicom.EditableDataset;
import org.pacsmigrator.testsupport.CharsetNames;
import org.pacsmigrator.testsupport.CharsetNames.Name;
import org.pacsmigrator.testsupport.Commands;
import org.pacsmigrator.testsupport.RawElements;
import org.pacsmigrator.testsupport.TextImages;

/**
 * Names in every kind of character set through what reads and writes images and C-FIND answers: decoded by
 * the data set's own Specific Character Set, and written back byte for byte when an edit changes something
 * else (PixelMed 20220618 alone drops ISO 2022 IR 58 names and writes every ISO 2022 name back as '?').
 */
class CharacterSetFilesTest {
    @TempDir
    Path dir;

    private Path image(Name name) throws Exception {
        Path file = dir.resolve("image-" + System.nanoTime() + ".dcm");
        Files.write(file, TextImages.part10(new TextImages.Image(name.charset(), name.bytes(), "PID-1", "19700101", "F",
                "20240105", "1.2.3.4", "1.2.3.4.1", "1.2.3.4.1.1")));
        return file;
    }

    /** A value as stored: padded to an even length with a space. */
    private static byte[] paddedWithSpace(byte[] value) {
        if (value.length % 2 == 0) {
            return value;
        }
        byte[] p = Arrays.copyOf(value, value.length + 1);
        p[value.length] = ' ';
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.pacsmigrator.testsupport.CharsetNames#names")
    void anImageIsReadByItsOwnCharacterSet(Name name) throws Exception {
        DicomDataset read = DicomFiles.readPatientAttributes(image(name));
        assertThat(read.get("PatientName")).isEqualTo(name.text().strip());
        assertThat(read.get("SpecificCharacterSet")).isEqualTo(name.charset() == null ? "" : name.charset());
        assertThat(DicomFiles.readInfo(image(name)).patientId()).isEqualTo("PID-1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.pacsmigrator.testsupport.CharsetNames#names")
    void anEditOfAnotherAttributeKeepsTheNameAndTheCharacterSetByteForByte(Name name) throws Exception {
        Path in = image(name);
        Path out = dir.resolve("edited.dcm");
        assertThat(DicomFiles.edit(in, out, ds -> ds.set("PatientID", "MIG-PID-1"))).hasSize(1);
        byte[] original = Files.readAllBytes(in);
        byte[] edited = Files.readAllBytes(out);
        assertThat(RawElements.value(edited, 0x0010, 0x0010)).isEqualTo(RawElements.value(original, 0x0010, 0x0010))
                .isEqualTo(paddedWithSpace(name.bytes()));
        assertThat(RawElements.value(edited, 0x0008, 0x0005)).isEqualTo(RawElements.value(original, 0x0008, 0x0005));
        assertThat(new String(RawElements.value(edited, 0x0010, 0x0020), StandardCharsets.US_ASCII)).isEqualTo("MIG-PID-1 ");
        assertThat(DicomFiles.readPatientAttributes(out).get("PatientName")).isEqualTo(name.text().strip());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.pacsmigrator.testsupport.CharsetNames#names")
    void aTransferSyntaxConversionKeepsTheNameBytes(Name name) throws Exception {
        Path in = image(name);
        Path out = dir.resolve("implicit.dcm");
        DicomFiles.transcode(in, out, "1.2.840.10008.1.2");
        assertThat(DicomFiles.readInfo(out).transferSyntaxUid()).isEqualTo("1.2.840.10008.1.2");
        assertThat(RawElements.value(Files.readAllBytes(out), 0x0010, 0x0010)).isEqualTo(paddedWithSpace(name.bytes()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.pacsmigrator.testsupport.CharsetNames#names")
    void aCFindAnswerIsDecodedByItsOwnCharacterSetInEitherVrEncoding(Name name) throws Exception {
        byte[] explicit = TextImages.part10(new TextImages.Image(name.charset(), name.bytes(), "PID-1", "19700101", "F",
                "20240105", "1.2.3.4", "1.2.3.4.1", "1.2.3.4.1.1"));
        int dataSet = 144 + ByteBuffer.wrap(explicit).order(ByteOrder.LITTLE_ENDIAN).getInt(140);
        byte[] identifier = Arrays.copyOfRange(explicit, dataSet, explicit.length);
        AttributeList list = Attributes.decode(identifier, "1.2.840.10008.1.2.1");
        assertThat(Attributes.toDataset(list).get("PatientName")).isEqualTo(name.text().strip());
        assertThat(Attributes.toDataset(list).get("SpecificCharacterSet")).isEqualTo(name.charset() == null ? "" : name.charset());
        byte[] implicit = Attributes.encode(list, "1.2.840.10008.1.2");
        assertThat(Attributes.toDataset(Attributes.decode(implicit, "1.2.840.10008.1.2")).get("PatientName"))
                .isEqualTo(name.text().strip());
    }

    @Test
    void aDeflatedImageIsReadAndEditedWithoutMaskingAndStillKeepsItsBytes() throws Exception {
        Name japanese = CharsetNames.names().filter(n -> "\\ISO 2022 IR 87".equals(n.charset())).findFirst().orElseThrow();
        Path deflated = dir.resolve("deflated.dcm");
        Commands.run("dcmconv", "--write-xfer-deflated", image(japanese).toString(),
                deflated.toString());
        assertThat(DicomFiles.readInfo(deflated).transferSyntaxUid()).isEqualTo("1.2.840.10008.1.2.1.99");
        assertThat(DicomFiles.readPatientAttributes(deflated).get("PatientName")).isEqualTo(japanese.text());
        Path out = dir.resolve("deflated-edited.dcm");
        DicomFiles.edit(deflated, out, ds -> ds.set("PatientID", "MIG-PID-1"));
        assertThat(DicomFiles.readPatientAttributes(out).get("PatientName")).isEqualTo(japanese.text());
        Path inflated = dir.resolve("inflated.dcm");
        Commands.run("dcmconv", "--write-xfer-little", out.toString(), inflated.toString());
        assertThat(RawElements.value(Files.readAllBytes(inflated), 0x0010, 0x0010)).isEqualTo(paddedWithSpace(japanese.bytes()));
    }

    @Test
    void aNameSetByARuleIsWrittenInTheImagesOwnSetOrRefused() throws Exception {
        Name japanese = CharsetNames.names().filter(n -> "\\ISO 2022 IR 87".equals(n.charset())).findFirst().orElseThrow();
        Path out = dir.resolve("renamed.dcm");
        DicomFiles.edit(image(japanese), out, ds -> ds.set("PatientName", "Suzuki^Hanako=鈴木^花子=すずき^はなこ"));
        byte[] written = RawElements.value(Files.readAllBytes(out), 0x0010, 0x0010);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes("Suzuki^Hanako=".getBytes(StandardCharsets.US_ASCII));
        expected.writeBytes("鈴木".getBytes("ISO-2022-JP"));
        expected.write('^');
        expected.writeBytes("花子".getBytes("ISO-2022-JP"));
        expected.write('=');
        expected.writeBytes("すずき".getBytes("ISO-2022-JP"));
        expected.write('^');
        expected.writeBytes("はなこ".getBytes("ISO-2022-JP"));
        assertThat(written).isEqualTo(paddedWithSpace(expected.toByteArray()));
        assertThat(DicomFiles.readPatientAttributes(out).get("SpecificCharacterSet")).isEqualTo("\\ISO 2022 IR 87");

        Name latin = CharsetNames.names().filter(n -> "ISO_IR 100".equals(n.charset())).findFirst().orElseThrow();
        assertThatThrownBy(() -> DicomFiles.edit(image(latin), dir.resolve("refused.dcm"), ds -> ds.set("PatientName", "山田^太郎")))
                .hasMessageContaining("ISO_IR 100").hasMessageNotContaining("山田");
    }

    @Test
    void normalisingToUtf8ReencodesEveryNameFromItsOwnSet() throws Exception {
        for (Name name : CharsetNames.names().toList()) {
            Path out = dir.resolve("utf8-" + System.nanoTime() + ".dcm");
            List<EditableDataset.Change> changes =
                    DicomFiles.edit(image(name), out, ds -> ds.normaliseCharacterSetToUtf8());
            if ("ISO_IR 192".equals(name.charset())) {
                assertThat(changes).as("%s", name).isEmpty();
                continue;
            }
            byte[] file = Files.readAllBytes(out);
            assertThat(RawElements.value(file, 0x0010, 0x0010)).as("%s", name)
                    .isEqualTo(paddedWithSpace(name.text().getBytes(StandardCharsets.UTF_8)));
            assertThat(new String(RawElements.value(file, 0x0008, 0x0005), StandardCharsets.US_ASCII)).isEqualTo("ISO_IR 192");
        }
    }
}
