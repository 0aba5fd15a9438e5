package dev.jetway.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The certificate of {@code server.tls.selfSigned}, written with Jetway's own DER encoder: the JDK reads it back as
 * a certificate its key signed, for the names a local client dials, valid from now on for years.
 */
class SelfSignedCertificateTest {

    @Test
    void theJdkReadsASelfSignedCertificateForLocalNames() throws Exception {
        TlsIdentity identity = SelfSignedCertificate.create("jetway");
        X509Certificate c = identity.leaf();

        c.verify(c.getPublicKey()); // signed by its own key
        PemFiles.checkPair(identity.key(), c, "self-signed");
        assertThat(c.getSubjectX500Principal()).isEqualTo(c.getIssuerX500Principal());
        assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=jetway");
        assertThat(c.getVersion()).isEqualTo(3);
        assertThat(c.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(c.getSubjectAlternativeNames()).contains(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
        assertThat(c.getNotBefore().toInstant()).isBefore(Instant.now());
        assertThat(c.getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(3600)));
        assertThat(c.getSigAlgName()).isEqualTo("SHA256withECDSA");

        TlsIdentity other = SelfSignedCertificate.create("jetway");
        assertThat(other.leaf().getSerialNumber()).as("a new key and serial each time")
                .isNotEqualTo(c.getSerialNumber());
        assertThat(other.leaf().getPublicKey()).isNotEqualTo(c.getPublicKey());
    }
}
