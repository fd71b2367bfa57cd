package org.pacsmigrator.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.pacsmigrator.cache.BoundedInputStream;

/**
 * A container image as `docker save` (and Jib's buildTar) writes it: manifest.json, the config JSON and
 * one tar per layer (gzip'd or not). Reads the image's config and the files of its layers, the later
 * layer winning, as a container runtime would see them; keeps the content of the paths asked for.
 * A minimal tar reader (ustar, pax and GNU long names): the JDK has none.
 */
final class ImageTarball {
    record Entry(String path, char type, int mode, int uid, int gid, long size) {
        boolean isFile() {
            return type == '0' || type == '\0';
        }

        boolean isExecutable() {
            return (mode & 0111) != 0;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BLOCK = 512;

    final JsonNode config;
    final int layers;
    final Map<String, Entry> files = new LinkedHashMap<>();
    final Map<String, byte[]> contents = new HashMap<>();

    private ImageTarball(JsonNode config, int layers) {
        this.config = config;
        this.layers = layers;
    }

    /** Reads the image in {@code tarball}, keeping the bytes of the files whose path matches {@code keep}. */
    static ImageTarball read(Path tarball, Predicate<String> keep) throws IOException {
        Map<String, byte[]> members = new HashMap<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(tarball))) {
            readTar(in, (entry, data) -> members.put(entry.path(), data.readAllBytes()));
        }
        JsonNode manifest = JSON.readTree(member(members, "manifest.json")).get(0);
        ImageTarball image = new ImageTarball(JSON.readTree(member(members, manifest.path("Config").asText())),
                manifest.path("Layers").size());
        for (JsonNode layer : manifest.path("Layers")) {
            byte[] bytes = member(members, layer.asText());
            InputStream raw = new ByteArrayInputStream(bytes);
            InputStream in = bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b
                    ? new GZIPInputStream(raw) : raw;
            readTar(in, (entry, data) -> {
                image.files.put(entry.path(), entry);
                if (keep.test(entry.path()) && entry.isFile()) {
                    image.contents.put(entry.path(), data.readAllBytes());
                }
            });
        }
        return image;
    }

    /** The image config's {@code config} object (Entrypoint, Cmd, User, Env, ExposedPorts, WorkingDir). */
    JsonNode runConfig() {
        return config.path("config");
    }

    private static byte[] member(Map<String, byte[]> members, String name) {
        byte[] bytes = members.get(name);
        if (bytes == null) {
            throw new IllegalStateException("image tarball has no " + name + " (has " + members.keySet() + ")");
        }
        return bytes;
    }

    private interface EntryHandler {
        void accept(Entry entry, InputStream data) throws IOException;
    }

    private static void readTar(InputStream in, EntryHandler handler) throws IOException {
        byte[] header = new byte[BLOCK];
        String longName = null;
        while (in.readNBytes(header, 0, BLOCK) == BLOCK && !allZero(header)) {
            char type = (char) header[156];
            long size = octal(header, 124, 12);
            String name = longName != null ? longName : name(header);
            longName = null;
            if (type == 'x' || type == 'L') {
                String content = new String(in.readNBytes((int) size), StandardCharsets.UTF_8);
                skip(in, padding(size));
                longName = type == 'L' ? content.replace("\0", "") : paxPath(content);
                continue;
            }
            Entry entry = new Entry(normalise(name), type, (int) octal(header, 100, 8), (int) octal(header, 108, 8),
                    (int) octal(header, 116, 8), size);
            BoundedInputStream data = new BoundedInputStream(in, size, false);
            if (!entry.path().isEmpty()) {
                handler.accept(entry, data);
            }
            skip(in, data.remaining() + padding(size));
        }
    }

    private static String name(byte[] header) {
        String name = text(header, 0, 100);
        String magic = text(header, 257, 6);
        String prefix = magic.startsWith("ustar") ? text(header, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    /** The {@code path} record of a pax extended header, or null (then the next header's own name counts). */
    private static String paxPath(String records) {
        for (String record : records.split("\n")) {
            int space = record.indexOf(' ');
            if (space > 0 && record.startsWith("path=", space + 1)) {
                return record.substring(space + 1 + "path=".length());
            }
        }
        return null;
    }

    private static String normalise(String name) {
        String path = name;
        while (path.startsWith("./") || path.startsWith("/")) {
            path = path.startsWith("./") ? path.substring(2) : path.substring(1);
        }
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static String text(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] header, int offset, int length) {
        String digits = text(header, offset, length).trim();
        return digits.isEmpty() ? 0 : Long.parseLong(digits, 8);
    }

    private static long padding(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private static boolean allZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static void skip(InputStream in, long bytes) throws IOException {
        in.skipNBytes(bytes);
    }
}
