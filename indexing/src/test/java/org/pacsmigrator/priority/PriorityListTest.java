package org.pacsmigrator.priority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PriorityListTest {
    @Test
    void readsPatientsAndAccessionNumbersSkippingCommentsBlankLinesAndTheHeader() {
        List<PriorityRequest> requests = PriorityList.parse(List.of("type,value", "# tomorrow's list", "",
                "patient,PAT-1", "Accession, ACC-9 ", "PAT-2"), "list");

        assertThat(requests).containsExactly(
                new PriorityRequest(PriorityRequest.Key.PATIENT_ID, "PAT-1", "list"),
                new PriorityRequest(PriorityRequest.Key.ACCESSION_NUMBER, "ACC-9", "list"),
                new PriorityRequest(PriorityRequest.Key.PATIENT_ID, "PAT-2", "list"));
    }

    @Test
    void aLineThatIsNeitherIsNamed() {
        assertThatThrownBy(() -> PriorityList.parse(List.of("patient,PAT-1", "study,1.2.3"), "list"))
                .hasMessageContaining("line 2").hasMessageContaining("unknown key 'study'");
        assertThatThrownBy(() -> PriorityList.parse(List.of("patient,A\\B"), "list")).hasMessageContaining("line 1");
    }
}
