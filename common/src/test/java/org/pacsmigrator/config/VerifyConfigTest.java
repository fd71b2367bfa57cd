package org.pacsmigrator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The verify: keys (completion criterion, storage commitment). */
class VerifyConfigTest {
    private static final String VALID = """
            migrationId: demo
            source: {aeTitle: OLDPACS, host: 127.0.0.1, port: 4242}
            destination: {aeTitle: NEWPACS, host: 127.0.0.1, port: 4243}
            index: {from: 2024-01-01, to: 2024-01-07}
            """;

    @Test
    void defaultsAreCFindCompletionAndACommitmentAeOfItsOwn() {
        MigrationConfig c = ConfigLoader.validate(ConfigLoader.parse(VALID));
        assertThat(c.verify.completion).isEqualTo("sent-and-cfind");
        assertThat(c.verify.commitment.aeTitle).isEqualTo("MIGRATOR_SC");
        assertThat(c.verify.commitment.port).isEqualTo(11113);
        assertThat(c.verify.commitment.timeoutSeconds).isEqualTo(60);
        assertThat(c.verify.commitment.maxRequests).isEqualTo(3);
    }

    @Test
    void everyCompletionCriterionIsAccepted() {
        for (String criterion : ConfigLoader.VERIFY_COMPLETION) {
            MigrationConfig c = ConfigLoader.validate(ConfigLoader.parse(VALID + "verify: {completion: " + criterion + "}\n"));
            assertThat(c.verify.completion).isEqualTo(criterion);
        }
    }

    @Test
    void unknownCompletionCriterionNamesTheKey() {
        assertThatThrownBy(() -> ConfigLoader.validate(ConfigLoader.parse(VALID + "verify: {completion: committed}\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("verify.completion")
                .hasMessageContaining("sent-and-committed");
    }

    @Test
    void commitmentKeysAreValidated() {
        assertThatThrownBy(() -> ConfigLoader.validate(ConfigLoader.parse(VALID
                + "verify: {completion: sent-and-committed, commitment: {port: 70000}}\n")))
                .hasMessageContaining("verify.commitment.port");
        assertThatThrownBy(() -> ConfigLoader.validate(ConfigLoader.parse(VALID
                + "verify: {commitment: {timeoutSeconds: 0}}\n")))
                .hasMessageContaining("verify.commitment.timeoutSeconds");
        assertThatThrownBy(() -> ConfigLoader.validate(ConfigLoader.parse(VALID
                + "verify: {completion: sent-and-committed, commitment: {aeTitle: MIGRATOR}}\n")))
                .hasMessageContaining("verify.commitment.aeTitle");
        assertThatThrownBy(() -> ConfigLoader.parse(VALID + "verify: {commitment: {timeout: 5}}\n"))
                .hasMessageContaining("verify.commitment.timeout");
    }

    @Test
    void theNewPacsCapIsUnknownByDefaultAndNeverNegative() {
        assertThat(ConfigLoader.validate(ConfigLoader.parse(VALID)).verify.findResultCap).isZero();
        assertThat(ConfigLoader.validate(ConfigLoader.parse(VALID + "verify: {findResultCap: 500}\n")).verify.findResultCap)
                .isEqualTo(500);
        assertThatThrownBy(() -> ConfigLoader.validate(ConfigLoader.parse(VALID + "verify: {findResultCap: -1}\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("verify.findResultCap");
    }
}
