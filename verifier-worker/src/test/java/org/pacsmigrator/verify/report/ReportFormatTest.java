package org.pacsmigrator.verify.report;

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
    void htmlEscapesMarkup() {
        assertThat(MigrationReport.html("<script>&\"")).isEqualTo("&lt;script&gt;&amp;&quot;");
        assertThat(MigrationReport.html(null)).isEmpty();
    }
}
