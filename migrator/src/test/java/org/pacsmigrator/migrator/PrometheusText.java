package org.pacsmigrator.migrator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Prometheus text exposition (format 0.0.4) read into metric families, for assertions about its structure.
 * Whether the text is valid at all is promtool's to say: this reader assumes it is.
 */
final class PrometheusText {
    /** One sample line: its series name (e.g. {@code x_bucket}), labels and value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    /** A family: the name of its TYPE line, its type and HELP text (null when absent), and its samples. */
    record Family(String name, String type, String help, List<Sample> samples) {
    }

    private static final List<String> SUFFIXES = List.of("_bucket", "_count", "_sum", "_created", "_gcount", "_gsum");

    private final Map<String, Family> families = new LinkedHashMap<>();

    private PrometheusText() {
    }

    static PrometheusText parse(String text) {
        PrometheusText parsed = new PrometheusText();
        Map<String, String> help = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                String[] parts = line.substring(7).split(" ", 2);
                help.put(parts[0], parts.length > 1 ? parts[1] : "");
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ", 2);
                types.put(parts[0], parts[1].strip());
            } else if (!line.isBlank() && !line.startsWith("#")) {
                samples.add(sample(line));
            }
        }
        types.forEach((name, type) -> parsed.families.put(name, new Family(name, type, help.get(name), new ArrayList<>())));
        help.keySet().forEach(name -> parsed.families.computeIfAbsent(name,
                n -> new Family(n, "untyped", help.get(n), new ArrayList<>())));
        for (Sample s : samples) {
            parsed.familyOf(s.name()).orElseGet(() -> parsed.families.computeIfAbsent(s.name(),
                    n -> new Family(n, "untyped", null, new ArrayList<>()))).samples().add(s);
        }
        return parsed;
    }

    List<Family> families() {
        return List.copyOf(families.values());
    }

    /** Every series name that occurs (what a PromQL selector can name): {@code x_bucket}, {@code x_count}, ... */
    List<String> seriesNames() {
        return families.values().stream().flatMap(f -> f.samples().stream()).map(Sample::name).distinct().toList();
    }

    List<Sample> samples(String seriesName) {
        return familyOf(seriesName).map(f -> f.samples().stream().filter(s -> s.name().equals(seriesName)).toList())
                .orElse(List.of());
    }

    private Optional<Family> familyOf(String seriesName) {
        if (families.containsKey(seriesName)) {
            return Optional.of(families.get(seriesName));
        }
        for (String suffix : SUFFIXES) {
            if (seriesName.endsWith(suffix)) {
                Family f = families.get(seriesName.substring(0, seriesName.length() - suffix.length()));
                if (f != null) {
                    return Optional.of(f);
                }
            }
        }
        return Optional.empty();
    }

    private static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        Map<String, String> labels = new LinkedHashMap<>();
        String name;
        int rest;
        if (brace >= 0 && (space < 0 || brace < space)) {
            name = line.substring(0, brace);
            rest = labels(line, brace + 1, labels);
        } else {
            name = line.substring(0, space);
            rest = space;
        }
        String[] valueAndTime = line.substring(rest).strip().split(" ");
        return new Sample(name, labels, Double.parseDouble(valueAndTime[0]));
    }

    /** Reads {@code a="x",b="y"}} from {@code i}; returns the index after the closing brace. */
    private static int labels(String line, int i, Map<String, String> into) {
        while (line.charAt(i) != '}') {
            int eq = line.indexOf('=', i);
            String key = line.substring(i, eq).strip();
            StringBuilder value = new StringBuilder();
            int j = eq + 2; // after ="
            for (; line.charAt(j) != '"'; j++) {
                char c = line.charAt(j);
                if (c == '\\') {
                    char escaped = line.charAt(++j);
                    value.append(escaped == 'n' ? '\n' : escaped);
                } else {
                    value.append(c);
                }
            }
            into.put(key, value.toString());
            i = j + 1;
            if (line.charAt(i) == ',') {
                i++;
            }
        }
        return i + 1;
    }
}
