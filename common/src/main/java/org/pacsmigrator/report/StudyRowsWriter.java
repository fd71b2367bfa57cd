package org.pacsmigrator.report;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.pacsmigrator.files.OwnerOnly;

/**
 * The report's study rows written as they come (memory stays flat whatever the number of studies): each row goes to
 * {@code report.csv} (through a temporary file, published whole) and to a temporary file of HTML table rows that the
 * HTML report copies in once its summary above the table is known.
 */
final class StudyRowsWriter implements AutoCloseable {
    private final Path csvTmp;
    private final Path tableTmp;
    private final Writer csv;
    private final Writer table;
    private long studies;
    private long complete;

    StudyRowsWriter(Path directory) throws IOException {
        csvTmp = OwnerOnly.newFile(directory.resolve("report.csv.tmp"));
        tableTmp = OwnerOnly.newFile(directory.resolve("report-studies.html.tmp"));
        csv = Files.newBufferedWriter(csvTmp, StandardCharsets.UTF_8);
        table = Files.newBufferedWriter(tableTmp, StandardCharsets.UTF_8);
        csvLine(csv, StudyReportRow.HEADER);
    }

    void write(StudyReportRow row) throws IOException {
        studies++;
        complete += row.complete() ? 1 : 0;
        Object[] values = row.values();
        csvLine(csv, values);
        table.write(row.complete() ? "<tr>" : "<tr class=\"incomplete\">");
        for (Object v : values) {
            table.write("<td>");
            table.write(MigrationReport.html(v));
            table.write("</td>");
        }
        table.write("</tr>\n");
    }

    long studies() {
        return studies;
    }

    long complete() {
        return complete;
    }

    /** Closes the files and publishes the CSV as {@code csvFile}. */
    void finishCsv(Path csvFile) throws IOException {
        close();
        Files.move(csvTmp, csvFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Copies the HTML table rows into {@code out} (after {@link #finishCsv}). */
    void copyTable(Writer out) throws IOException {
        try (Reader in = Files.newBufferedReader(tableTmp, StandardCharsets.UTF_8)) {
            in.transferTo(out);
        }
    }

    static void csvLine(Writer w, Object[] values) throws IOException {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                w.write(',');
            }
            w.write(MigrationReport.csv(values[i]));
        }
        w.write("\r\n");
    }

    @Override
    public void close() throws IOException {
        try (csv; table) {
            // both closed, the first failure reported
        }
    }

    /** Removes the temporary files that are left (the table's always; the CSV's when not published). */
    void delete() throws IOException {
        close();
        Files.deleteIfExists(csvTmp);
        Files.deleteIfExists(tableTmp);
    }
}
