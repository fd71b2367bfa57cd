package org.pacsmigrator.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServicesMainTest {
    @Test
    void envFileIsSourceableByBash(@TempDir Path dir) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(TestServices.get().toEnvironment());
        env.put("PACSMIG_QUOTING_CHECK", "it's a $HOME \"test\"");
        Path file = dir.resolve("services.env");
        ServicesMain.writeEnvFile(env, file);

        Process bash = new ProcessBuilder("bash", "-c", "set -euo pipefail; . \"$1\"; env", "bash", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor()).as(out).isZero();
        env.forEach((k, v) -> assertThat(out).contains(k + "=" + v + "\n"));
    }
}
