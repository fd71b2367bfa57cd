package org.pacsmigrator.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The STOW-RS answer read per instance, in both encodings PS3.18 allows, and nothing from anything else. */
class StowResponseTest {

    private static StowResponse parse(String body, String type) {
        return StowResponse.parse(body.getBytes(StandardCharsets.UTF_8), type).orElseThrow();
    }

    @Test
    void jsonNamesStoredWarnedAndFailedInstances() {
        String json = """
                {"00081199": {"vr": "SQ", "Value": [
                   {"00081150": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.2"]}, "00081155": {"vr": "UI", "Value": ["1.2.3.1"]}},
                   {"00081155": {"vr": "UI", "Value": ["1.2.3.2"]}, "00081196": {"vr": "US", "Value": [45056]}}]},
                 "00081198": {"vr": "SQ", "Value": [
                   {"00081155": {"vr": "UI", "Value": ["1.2.3.3"]}, "00081197": {"vr": "US", "Value": [49442]}},
                   {"00081155": {"vr": "UI", "Value": ["1.2.3.4"]}}]}}
                """;
        StowResponse r = parse(json, "application/dicom+json");
        assertThat(r.stored()).isEqualTo(Map.of("1.2.3.1", 0, "1.2.3.2", 0xB000));
        assertThat(r.failed()).isEqualTo(Map.of("1.2.3.3", 0xC122, "1.2.3.4", StowResponse.PROCESSING_FAILURE));
        assertThat(parse("[" + json + "]", "application/json").stored()).as("wrapped in an array").hasSize(2);
        assertThat(parse("{\"00081198\": {\"vr\": \"SQ\"}, \"00081199\": {\"vr\": \"SQ\"}}", null).stored())
                .as("empty sequences, as Orthanc writes them").isEmpty();
    }

    @Test
    void xmlNamesStoredWarnedAndFailedInstances() {
        String xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <NativeDicomModel>
                  <DicomAttribute tag="00081199" vr="SQ" keyword="ReferencedSOPSequence">
                    <Item number="1">
                      <DicomAttribute tag="00081155" vr="UI"><Value number="1">1.2.3.1</Value></DicomAttribute>
                      <DicomAttribute tag="00081196" vr="US"><Value number="1">45062</Value></DicomAttribute>
                    </Item>
                  </DicomAttribute>
                  <DicomAttribute tag="00081198" vr="SQ" keyword="FailedSOPSequence">
                    <Item number="1">
                      <DicomAttribute tag="00081155" vr="UI"><Value number="1">1.2.3.2</Value></DicomAttribute>
                      <DicomAttribute tag="00081197" vr="US"><Value number="1">290</Value></DicomAttribute>
                    </Item>
                  </DicomAttribute>
                </NativeDicomModel>
                """;
        StowResponse r = parse(xml, "application/dicom+xml");
        assertThat(r.stored()).isEqualTo(Map.of("1.2.3.1", 0xB006));
        assertThat(r.failed()).isEqualTo(Map.of("1.2.3.2", 0x0122));
        assertThat(parse(xml, null).stored()).as("recognised without a content type").hasSize(1);
    }

    @Test
    void anythingElseIsNoAnswerAndEntitiesAreNeverExpanded() {
        assertThat(StowResponse.parse(new byte[0], "application/dicom+json")).isEmpty();
        assertThat(StowResponse.parse("<html>Bad gateway".getBytes(StandardCharsets.UTF_8), "text/html")).isEmpty();
        assertThat(StowResponse.parse("not json".getBytes(StandardCharsets.UTF_8), "application/dicom+json")).isEmpty();
        String xxe = """
                <?xml version="1.0"?>
                <!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
                <NativeDicomModel><DicomAttribute tag="00081199" vr="SQ"><Item number="1">
                <DicomAttribute tag="00081155" vr="UI"><Value number="1">&x;</Value></DicomAttribute></Item></DicomAttribute>
                </NativeDicomModel>
                """;
        assertThat(StowResponse.parse(xxe.getBytes(StandardCharsets.UTF_8), "application/dicom+xml")).isEmpty();
    }
}
