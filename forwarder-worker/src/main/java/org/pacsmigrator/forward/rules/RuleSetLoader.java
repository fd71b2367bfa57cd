package org.pacsmigrator.forward.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.pacsmigrator.config.ConfigException;
import org.pacsmigrator.dicom.DicomFiles;

/**
 * Reads a rules file (YAML: {@code rules:} list) and validates it completely at start-up: an
 * unknown key, an unknown attribute keyword, a bad regular expression or a missing mapping file
 * fails with a message naming the rule. The language is documented in README ("Rules").
 */
public final class RuleSetLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> ACTIONS = Set.of("validate", "set", "remove", "copy", "replace", "patientIdDomain",
            "removePrivateTags", "normaliseCharacterSet");
    private static final Set<String> RULE_KEYS = Set.of("name", "when", "onFailure", "onPatientIdConflict");

    private RuleSetLoader() {
    }

    public static RuleSet load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new ConfigException("forward.rulesFile", "cannot read rules file " + file + ": " + e.getMessage());
        }
    }

    /** Parses rules; relative mapping-table paths resolve against {@code baseDirectory}. */
    public static RuleSet parse(String yaml, Path baseDirectory) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new ConfigException("rules", "not valid YAML: " + e.getMessage());
        }
        if (root == null || !root.has("rules") || !root.get("rules").isArray()) {
            throw new ConfigException("rules", "the rules file must contain a list under 'rules:'");
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int index = 0;
        for (JsonNode node : root.get("rules")) {
            String name = node.path("name").asText("rule " + (index + 1));
            String where = "rules[" + index + "] '" + name + "'";
            if (!names.add(name)) {
                throw new ConfigException(where, "duplicate rule name");
            }
            rules.add(rule(node, name, where, baseDirectory));
            index++;
        }
        return new RuleSet(rules);
    }

    private static Rule rule(JsonNode node, String name, String where, Path baseDirectory) {
        if (!node.isObject()) {
            throw new ConfigException(where, "a rule must be a map");
        }
        String action = null;
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (ACTIONS.contains(key)) {
                if (action != null) {
                    throw new ConfigException(where, "has two actions ('" + action + "' and '" + key + "'): one per rule");
                }
                action = key;
            } else if (!RULE_KEYS.contains(key)) {
                throw new ConfigException(where + "." + key, "unknown key (a rule has name, when, onFailure, onPatientIdConflict and one of "
                        + String.join(", ", ACTIONS.stream().sorted().toList()) + ")");
            }
        }
        if (action == null) {
            throw new ConfigException(where, "has no action (one of " + String.join(", ", ACTIONS.stream().sorted().toList()) + ")");
        }
        String onFailure = node.path("onFailure").asText("reject");
        if (!onFailure.equals("reject") && !onFailure.equals("flag")) {
            throw new ConfigException(where + ".onFailure", "must be reject or flag, got '" + onFailure + "'");
        }
        Condition when = node.has("when") ? condition(node.get("when"), where + ".when") : Condition.ALWAYS;
        return new Rule(name, when, action(action, node.get(action), where + "." + action, baseDirectory),
                onFailure.equals("reject"), node.path("onPatientIdConflict").asBoolean(false));
    }

    private static Action action(String kind, JsonNode v, String where, Path baseDirectory) {
        return switch (kind) {
            case "validate" -> {
                allowOnly(v, where, "required", "uidSyntax", "patientIdMatchesIndex", "studyMatchesIndex");
                yield new Actions.Validate(keywords(v.path("required"), where + ".required"),
                        v.path("uidSyntax").asBoolean(false), v.path("patientIdMatchesIndex").asBoolean(false),
                        v.path("studyMatchesIndex").asBoolean(false));
            }
            case "set" -> {
                Map<String, String> values = new LinkedHashMap<>();
                requireObject(v, where).fields().forEachRemaining(e -> values.put(keyword(e.getKey(), where), e.getValue().asText()));
                yield new Actions.Set_(values);
            }
            case "remove" -> new Actions.Remove(keywords(v, where));
            case "copy" -> {
                allowOnly(v, where, "from", "to");
                yield new Actions.Copy(keyword(text(v, "from", where), where + ".from"), keyword(text(v, "to", where), where + ".to"));
            }
            case "replace" -> {
                allowOnly(v, where, "attribute", "pattern", "with");
                yield new Actions.Replace(keyword(text(v, "attribute", where), where + ".attribute"),
                        regex(text(v, "pattern", where), where + ".pattern"), v.path("with").asText(""));
            }
            case "patientIdDomain" -> patientIdDomain(v, where, baseDirectory);
            case "removePrivateTags" -> {
                if (v.isBoolean() || v.isNull()) {
                    yield new Actions.RemovePrivate(Set.of());
                }
                allowOnly(v, where, "creators");
                Set<String> creators = new HashSet<>();
                v.path("creators").forEach(c -> creators.add(c.asText().trim()));
                yield new Actions.RemovePrivate(creators);
            }
            case "normaliseCharacterSet" -> {
                if (!v.asText().equals("ISO_IR 192")) {
                    throw new ConfigException(where, "only 'ISO_IR 192' (UTF-8) is supported, got '" + v.asText() + "'");
                }
                yield new Actions.NormaliseCharacterSet();
            }
            default -> throw new IllegalStateException(kind);
        };
    }

    private static Action patientIdDomain(JsonNode v, String where, Path baseDirectory) {
        allowOnly(v, where, "prefix", "suffix", "issuer", "mappingCsv", "mappingRequired");
        Map<String, String> mapping = new LinkedHashMap<>();
        if (v.has("mappingCsv")) {
            Path csv = baseDirectory.resolve(v.get("mappingCsv").asText());
            try {
                int line = 0;
                for (String row : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
                    line++;
                    if (row.isBlank() || row.startsWith("#")) {
                        continue;
                    }
                    String[] cols = row.split(",", -1);
                    if (cols.length != 2 || cols[0].isBlank() || cols[1].isBlank()) {
                        throw new ConfigException(where + ".mappingCsv", csv + " line " + line + ": expected oldId,newId");
                    }
                    mapping.put(cols[0].trim(), cols[1].trim());
                }
            } catch (IOException e) {
                throw new ConfigException(where + ".mappingCsv", "cannot read " + csv + ": " + e.getMessage());
            }
        }
        return new Actions.PatientIdDomain(v.path("prefix").asText(""), v.path("suffix").asText(""),
                v.has("issuer") ? v.get("issuer").asText() : null, mapping, v.path("mappingRequired").asBoolean(false));
    }

    private static Condition condition(JsonNode v, String where) {
        allowOnly(v, where, "modality", "sopClassUid", "studyDateFrom", "studyDateTo", "callingAe", "match");
        Map<String, Pattern> matches = new LinkedHashMap<>();
        v.path("match").fields().forEachRemaining(e ->
                matches.put(keyword(e.getKey(), where + ".match"), regex(e.getValue().asText(), where + ".match." + e.getKey())));
        return new Condition(texts(v.path("modality")), texts(v.path("sopClassUid")), date(v, "studyDateFrom", where),
                date(v, "studyDateTo", where), texts(v.path("callingAe")), matches);
    }

    private static String date(JsonNode v, String key, String where) {
        if (!v.has(key)) {
            return null;
        }
        String d = v.get(key).asText().replace("-", "");
        if (!d.matches("\\d{8}")) {
            throw new ConfigException(where + "." + key, "expected a date yyyyMMdd or yyyy-MM-dd, got '" + v.get(key).asText() + "'");
        }
        return d;
    }

    private static List<String> texts(JsonNode v) {
        List<String> out = new ArrayList<>();
        if (v.isArray()) {
            v.forEach(x -> out.add(x.asText()));
        } else if (!v.isMissingNode() && !v.isNull()) {
            out.add(v.asText());
        }
        return out;
    }

    private static List<String> keywords(JsonNode v, String where) {
        List<String> out = new ArrayList<>();
        for (String k : texts(v)) {
            out.add(keyword(k, where));
        }
        return out;
    }

    private static String keyword(String k, String where) {
        if (!DicomFiles.isKnownKeyword(k)) {
            throw new ConfigException(where, "unknown DICOM attribute keyword '" + k + "'");
        }
        return k;
    }

    private static Pattern regex(String p, String where) {
        try {
            return Pattern.compile(p);
        } catch (PatternSyntaxException e) {
            throw new ConfigException(where, "invalid regular expression: " + e.getDescription());
        }
    }

    private static String text(JsonNode v, String key, String where) {
        if (!v.hasNonNull(key)) {
            throw new ConfigException(where + "." + key, "is required");
        }
        return v.get(key).asText();
    }

    private static JsonNode requireObject(JsonNode v, String where) {
        if (v == null || !v.isObject()) {
            throw new ConfigException(where, "must be a map");
        }
        return v;
    }

    private static void allowOnly(JsonNode v, String where, String... keys) {
        requireObject(v, where);
        Set<String> allowed = Set.of(keys);
        v.fieldNames().forEachRemaining(k -> {
            if (!allowed.contains(k)) {
                throw new ConfigException(where + "." + k, "unknown key (allowed: " + String.join(", ", keys) + ")");
            }
        });
    }
}
