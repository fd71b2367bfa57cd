package org.pacsmigrator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The queries of deploy/monitoring/grafana-dashboard.json and the metric names they use. */
public final class GrafanaDashboard {
    private static final String PATH = "deploy/monitoring/grafana-dashboard.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> PROMQL_KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "atan2", "inf", "nan");

    /** One query of a panel. */
    public record Query(String panel, String expr) {
    }

    private GrafanaDashboard() {
    }

    /** Every panel's queries (a panel without queries, or a blank one, is reported as a query with a blank expr). */
    public static List<Query> queries() throws IOException {
        JsonNode dashboard = JSON.readTree(Manifests.root().resolve(PATH).toFile());
        List<Query> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            if (panel.path("targets").isEmpty()) {
                queries.add(new Query(title, ""));
            }
            for (JsonNode target : panel.path("targets")) {
                queries.add(new Query(title, target.path("expr").asText()));
            }
        }
        return queries;
    }

    /** Metric names in a PromQL expression: identifiers that are neither functions, keywords, labels nor durations. */
    public static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("\\{[^}]*\\}", " ")
                .replaceAll("\\[[^\\]]*\\]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\boffset\\s+-?[0-9a-z]+", " ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?<![A-Za-z0-9_:.$])[A-Za-z_:][A-Za-z0-9_:]*").matcher(s);
        while (m.find()) {
            String id = m.group();
            int next = m.end();
            while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
                next++;
            }
            boolean function = next < s.length() && s.charAt(next) == '(';
            if (!function && !PROMQL_KEYWORDS.contains(id.toLowerCase())) {
                names.add(id);
            }
        }
        return names;
    }
}
