"""Certificates for the TLS tests, made with the `openssl` CLI: a CA of the test's own and server certificates it
signs for 127.0.0.1 / localhost. Nothing here is trusted by the system, so a client must be given the CA."""
import os
import ssl
import subprocess


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


class CertificateAuthority:
    """A CA in `directory` (`<name>.pem`, `<name>.key`) that signs server certificates."""

    def __init__(self, directory, name="ca"):
        self.directory = directory
        self.name = name
        self.path = os.path.join(directory, f"{name}.pem")
        self.key_path = os.path.join(directory, f"{name}.key")
        _openssl(
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", self.key_path, "-out", self.path, "-days", "2", "-subj", f"/O=Herald TLS tests/CN={name}",
            cwd=directory,
        )

    def issue(self, common_name, certificate_path, key_path, chain=False):
        """Writes a certificate for 127.0.0.1 and localhost with subject CN `common_name` and a fresh key; with
        `chain`, the CA's certificate follows the server's in the file (leaf + intermediates layout)."""
        csr = os.path.join(self.directory, f"{common_name}.csr")
        extensions = os.path.join(self.directory, f"{common_name}.ext")
        with open(extensions, "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        _openssl(
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key_path,
            "-out", csr, "-subj", f"/O=Herald TLS tests/CN={common_name}", cwd=self.directory,
        )
        _openssl(
            "x509", "-req", "-in", csr, "-CA", self.path, "-CAkey", self.key_path, "-CAcreateserial",
            "-out", certificate_path, "-days", "2", "-extfile", extensions, cwd=self.directory,
        )
        if chain:
            with open(self.path) as ca, open(certificate_path, "a") as leaf:
                leaf.write(ca.read())


def served_certificate(port, ca_path, timeout=5):
    """The subject CN and serial number of the certificate a new connection to 127.0.0.1:`port` is served,
    verified against `ca_path`."""
    import socket

    context = ssl.create_default_context(cafile=ca_path)
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            certificate = tls.getpeercert()
    subject = dict(pair for part in certificate["subject"] for pair in part)
    return subject["commonName"], certificate["serialNumber"]
