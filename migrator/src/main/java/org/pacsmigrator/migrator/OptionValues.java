package org.pacsmigrator.migrator;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.pacsmigrator.dicom.DicomNode;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values in the user's words: the converters say what an option takes and what was found (picocli's own
 * name Java types, "'x' is not an int"), the checks reject values out of range before a command starts anything.
 */
final class OptionValues {
    private OptionValues() {
    }

    static CommandLine withConverters(CommandLine commandLine) {
        ITypeConverter<Integer> integer = text -> parse(text, "a whole number", Integer::valueOf);
        ITypeConverter<Long> whole = text -> parse(text, "a whole number", Long::valueOf);
        return commandLine.registerConverter(int.class, integer).registerConverter(Integer.class, integer)
                .registerConverter(long.class, whole).registerConverter(Long.class, whole)
                .registerConverter(LocalDate.class, text -> parse(text, "a date (yyyy-MM-dd)", LocalDate::parse));
    }

    private static <T> T parse(String text, String expected, ITypeConverter<T> parser) {
        try {
            return parser.convert(text);
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new TypeConversionException("expected " + expected + ", found '" + text + "'");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code AE@host:port}, as {@code generate --to} takes a PACS. */
    static final class PacsAddress implements ITypeConverter<DicomNode> {
        @Override
        public DicomNode convert(String text) {
            int at = text.indexOf('@');
            int colon = text.lastIndexOf(':');
            if (at < 1 || colon <= at + 1) {
                throw new TypeConversionException("expected AE@host:port, found '" + text + "'");
            }
            int port;
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new TypeConversionException("expected AE@host:port with a numeric port, found '" + text + "'");
            }
            try {
                return new DicomNode(text.substring(0, at), text.substring(at + 1, colon), port);
            } catch (IllegalArgumentException e) { // a port out of range, a too long AE title
                throw new TypeConversionException("expected AE@host:port (" + e.getMessage() + "), found '" + text + "'");
            }
        }
    }

    static void atLeast(CommandSpec spec, String option, long value, long min) {
        if (value < min) {
            throw invalid(spec, option, "expected at least " + min + ", found " + value);
        }
    }

    static void between(CommandSpec spec, String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw invalid(spec, option, "expected " + min + " to " + max + ", found " + value);
        }
    }

    static void oneOf(CommandSpec spec, String option, String value, List<String> allowed) {
        if (!allowed.contains(value)) {
            throw invalid(spec, option, "expected " + String.join(" or ", allowed) + ", found '" + value + "'");
        }
    }

    /** The message picocli gives an unconvertible value, for a value a command's own check rejects. */
    static ParameterException invalid(CommandSpec spec, String option, String reason) {
        return new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': " + reason);
    }
}
