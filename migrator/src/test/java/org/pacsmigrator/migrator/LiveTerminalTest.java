package org.pacsmigrator.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveTerminalTest {
    private static final String ERASE_TWO = "\r\033[2A\033[J";

    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final PrintStream terminal = new PrintStream(screen, true, StandardCharsets.UTF_8);

    private String shown() {
        return screen.toString(StandardCharsets.UTF_8);
    }

    @Test
    void otherOutputScrollsAboveTheBlockWhichIsRedrawnBelowIt() {
        LiveTerminal live = new LiveTerminal(terminal);
        PrintStream log = live.passthrough(terminal);
        live.show(List.of("a 1", "b 1"));
        assertThat(shown()).isEqualTo("\033[?7la 1\nb 1\n\033[?7h");
        screen.reset();

        log.print("a log ");
        assertThat(shown()).as("a partial line waits for its end").isEmpty();
        log.println("line");
        assertThat(shown()).isEqualTo(ERASE_TWO + "a log line\n\033[?7la 1\nb 1\n\033[?7h");
        screen.reset();

        live.show(List.of("a 1", "b 1"));
        assertThat(shown()).as("the same block is not redrawn").isEmpty();
        live.show(List.of("a 2"));
        assertThat(shown()).isEqualTo(ERASE_TWO + "\033[?7la 2\n\033[?7h");
        screen.reset();

        live.release();
        log.println("summary");
        assertThat(shown()).as("after release the block stays and the rest comes below it").isEqualTo("summary\n");
    }
}
