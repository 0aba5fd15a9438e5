package dev.jetway.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jetway.gateway.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.Test;

/** Private keys in the three PEM forms TLS Secrets carry, and a key that does not match its certificate. */
class PemFilesTest {

    @Test
    void readsPkcs8Pkcs1AndSec1Keys() throws Exception {
        var rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        var rsaKeys = rsa.generateKeyPair();
        byte[] pkcs1 = PrivateKeyInfo.getInstance(rsaKeys.getPrivate().getEncoded()).parsePrivateKey().toASN1Primitive()
                .getEncoded();
        assertThat(PemFiles.privateKey(pem("RSA PRIVATE KEY", pkcs1), "k").getEncoded())
                .isEqualTo(rsaKeys.getPrivate().getEncoded());
        assertThat(PemFiles.privateKey(pem("PRIVATE KEY", rsaKeys.getPrivate().getEncoded()), "k").getAlgorithm())
                .isEqualTo("RSA");

        var ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        var ecKeys = ec.generateKeyPair();
        // the JDK's PKCS#8 EC key carries a SEC1 ECPrivateKey with the curve in [0]
        byte[] sec1 = PrivateKeyInfo.getInstance(ecKeys.getPrivate().getEncoded()).parsePrivateKey().toASN1Primitive()
                .getEncoded();
        byte[] withCurve = new org.bouncycastle.asn1.sec.ECPrivateKey(256,
                ((java.security.interfaces.ECPrivateKey) ecKeys.getPrivate()).getS(), null,
                new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.2.840.10045.3.1.7")).getEncoded();
        assertThat(sec1).isNotEmpty();
        var read = (java.security.interfaces.ECPrivateKey) PemFiles.privateKey(pem("EC PRIVATE KEY", withCurve), "k");
        assertThat(read.getS()).isEqualTo(((java.security.interfaces.ECPrivateKey) ecKeys.getPrivate()).getS());
    }

    @Test
    void refusesWhatItCannotUseWithAMessageNamingTheFile() throws Exception {
        assertThatThrownBy(() -> PemFiles.privateKey("nothing here".getBytes(StandardCharsets.US_ASCII), "tls.key"))
                .hasMessageStartingWith("tls.key: no private key");
        assertThatThrownBy(() -> PemFiles.privateKey(pem("ENCRYPTED PRIVATE KEY", new byte[] {1}), "tls.key"))
                .hasMessageContaining("encrypted");
        assertThatThrownBy(() -> PemFiles.certificates("junk".getBytes(StandardCharsets.US_ASCII), "tls.crt"))
                .hasMessageStartingWith("tls.crt: ");
        TestPki pki = TestPki.create(java.nio.file.Files.createTempDirectory("pki"), "t");
        var a = pki.issue("a", "localhost");
        var b = pki.issue("b", "localhost");
        PemFiles.checkPair(a.keys().getPrivate(), a.cert(), "a-key.pem");
        assertThatThrownBy(() -> PemFiles.checkPair(b.keys().getPrivate(), a.cert(), "b-key.pem"))
                .hasMessage("b-key.pem: the private key does not belong to the certificate");
        assertThat(ServerNameTrustManager.names(a.cert(), "LOCALHOST")).isTrue();
        assertThat(ServerNameTrustManager.names(a.cert(), "127.0.0.1")).isFalse();
        assertThat(ServerNameTrustManager.names(pki.issue("w", "*.svc.local").cert(), "a.svc.local")).isTrue();
        assertThat(ServerNameTrustManager.names(pki.issue("w2", "*.svc.local").cert(), "a.b.svc.local")).isFalse();
    }

    private static byte[] pem(String type, byte[] der) {
        return TestPki.pem(type, der).getBytes(StandardCharsets.US_ASCII);
    }
}
