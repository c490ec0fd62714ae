// Debian's libssl-dev (OpenSSL 3): libcrypto's EVP signature checks, HMAC, PEM public keys and ECDSA_SIG, for
// verifying JWT signatures (HS256, RS256, ES256).
#ifndef HERALD_COPENSSL_SHIM_H
#define HERALD_COPENSSL_SHIM_H
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#endif
