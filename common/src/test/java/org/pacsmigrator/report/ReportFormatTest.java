package org.pacsmigrator.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Cell encoding of the report: CSV quoting, no spreadsheet formulas, HTML escaping. */
class ReportFormatTest {
    @Test
    void csvQuotesSeparatorsAndQuotesAndNeutralisesFormulas() {
        assertThat(MigrationReport.csv(null)).isEmpty();
        assertThat(MigrationReport.csv(42)).isEqualTo("42");
        assertThat(MigrationReport.csv(-1)).isEqualTo("-1");
        assertThat(MigrationReport.csv("DOE^JOHN")).isEqualTo("DOE^JOHN");
        assertThat(MigrationReport.csv("a,b")).isEqualTo("\"a,b\"");
        assertThat(MigrationReport.csv("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(MigrationReport.csv("=HYPERLINK(\"x\")")).startsWith("\"'=HYPERLINK(");
        assertThat(MigrationReport.csv("line\nbreak")).isEqualTo("\"line\nbreak\"");
    }

    @Test
    void whatIsMissingGetsTheActionOfWhyItsStudyStopped() {
        assertThat(MigrationReport.missingAction(null)).isEqualTo(MigrationReport.RESEND_ACTION);
        assertThat(MigrationReport.missingAction("missing in new PACS")).isEqualTo(MigrationReport.RESEND_ACTION);
        assertThat(MigrationReport.missingAction("patient ID conflict")).contains("forward.patientIdConflict")
                .contains("replay --category 'patient ID conflict'").doesNotContain("resend");
        assertThat(MigrationReport.missingAction("UID collision")).contains("replay --category 'UID collision'")
                .contains("merge the patients");
        assertThat(MigrationReport.missingAction("cache object corrupt")).contains("retrieved again");
        assertThat(MigrationReport.missingAction("SOP class not supported"))
                .contains("replay --category 'SOP class not supported'");
    }

    @Test
    void htmlEscapesMarkup() {
        assertThat(MigrationReport.html("<script>&\"")).isEqualTo("&lt;script&gt;&amp;&quot;");
        assertThat(MigrationReport.html(null)).isEmpty();
    }
}
