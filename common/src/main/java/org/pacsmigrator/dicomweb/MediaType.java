package org.pacsmigrator.dicomweb;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A Content-Type value: its type/subtype (lower case) and parameters (names lower case, quoted values unquoted). */
record MediaType(String type, Map<String, String> parameters) {
    static MediaType parse(String value) {
        String[] pieces = splitOutsideQuotes(value == null ? "" : value);
        String type = pieces[0].strip().toLowerCase(Locale.ROOT);
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 1; i < pieces.length; i++) {
            int eq = pieces[i].indexOf('=');
            if (eq > 0) {
                parameters.put(pieces[i].substring(0, eq).strip().toLowerCase(Locale.ROOT),
                        unquote(pieces[i].substring(eq + 1).strip()));
            }
        }
        return new MediaType(type, parameters);
    }

    String parameter(String name) {
        return parameters.get(name);
    }

    private static String[] splitOutsideQuotes(String value) {
        List<String> pieces = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted && i + 1 < value.length()) {
                current.append(c).append(value.charAt(++i));
                continue;
            } else if (c == ';' && !quoted) {
                pieces.add(current.toString());
                current.setLength(0);
                continue;
            }
            current.append(c);
        }
        pieces.add(current.toString());
        return pieces.toArray(String[]::new);
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1).replaceAll("\\\\(.)", "$1");
        }
        return v;
    }
}
