package paycools

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"
)

// minKeyBits is the smallest RSA key PayCools uses (docs/envelope.md §11).
const minKeyBits = 2048

// ParsePrivateKey parses the merchant RSA private key in any form PayCools merchants hold it:
// PEM "RSA PRIVATE KEY" (PKCS#1) or "PRIVATE KEY" (PKCS#8), or the bare base64 DER that the
// dashboard and Java tools show (PKCS#8 tried first, then PKCS#1). Surrounding whitespace,
// CRLF, a UTF-8 BOM, surrounding quotes, escaped "\n" sequences, base64 split across lines or
// holding spaces, and a PEM body on one line are tolerated; a mismatched armor label is
// ignored (the DER decides). The key must be RSA of at least 2048 bits.
//
// Errors name what was found ("this is a public key, a private key is needed", "PKCS#8
// holding an EC key: RSA is required") and never contain the key.
func ParsePrivateKey(b []byte) (*rsa.PrivateKey, error) {
	der, label, err := keyDER(b, privateKeyKind)
	if err != nil {
		return nil, err
	}
	if strings.Contains(label, "ENCRYPTED") {
		return nil, keyError("encrypted keys are not supported: decrypt it first")
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		switch k := k.(type) {
		case *rsa.PrivateKey:
			return checkPrivateSize(k)
		case *ecdsa.PrivateKey:
			return nil, keyError("PKCS#8 holding an EC key: RSA is required")
		case ed25519.PrivateKey:
			return nil, keyError("PKCS#8 holding an Ed25519 key: RSA is required")
		default:
			return nil, keyError(fmt.Sprintf("PKCS#8 holding a %T key: RSA is required", k))
		}
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return checkPrivateSize(k)
	}
	if _, err := x509.ParseECPrivateKey(der); err == nil {
		return nil, keyError("this is an EC private key: RSA is required")
	}
	if _, err := parsePublicDER(der); err == nil {
		return nil, keyError("this is a public key, a private key is needed")
	}
	if _, err := x509.ParseCertificate(der); err == nil {
		return nil, keyError("this is a certificate (it holds a public key), a private key is needed")
	}
	if isEncryptedPKCS8(der) {
		return nil, keyError("encrypted keys are not supported: decrypt it first")
	}
	return nil, keyError(fmt.Sprintf("not an RSA private key (%d bytes of DER that parse as neither PKCS#8 nor PKCS#1; truncated?)", len(der)))
}

// ParsePublicKey parses an RSA public key, typically the PayCools platform public key used to
// verify callbacks: PEM "PUBLIC KEY" (PKIX) or "RSA PUBLIC KEY" (PKCS#1), bare base64 DER of
// either (the one-line form PayCools hands out), or a PEM "CERTIFICATE" holding an RSA key.
// The same tolerances as ParsePrivateKey apply. The key must be at least 2048 bits.
func ParsePublicKey(b []byte) (*rsa.PublicKey, error) {
	der, label, err := keyDER(b, publicKeyKind)
	if err != nil {
		return nil, err
	}
	if strings.Contains(label, "ENCRYPTED") || strings.Contains(label, "PRIVATE") && isEncryptedPKCS8(der) {
		return nil, keyError("encrypted keys are not supported: decrypt it first")
	}
	if label == "CERTIFICATE" {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, &SignatureError{Reason: "invalid certificate", Err: err}
		}
		return checkPublic(cert.PublicKey)
	}
	if pub, err := parsePublicDER(der); err == nil {
		return checkPublic(pub)
	}
	if cert, err := x509.ParseCertificate(der); err == nil {
		return checkPublic(cert.PublicKey)
	}
	if _, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return nil, keyError("this is a private key; the PayCools platform public key is needed")
	}
	if _, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return nil, keyError("this is a private key; the PayCools platform public key is needed")
	}
	return nil, keyError(fmt.Sprintf("not an RSA public key (%d bytes of DER that parse as neither PKIX nor PKCS#1; truncated?)", len(der)))
}

func parsePublicDER(der []byte) (any, error) {
	if pub, err := x509.ParsePKIXPublicKey(der); err == nil {
		return pub, nil
	}
	return x509.ParsePKCS1PublicKey(der)
}

func checkPublic(pub any) (*rsa.PublicKey, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k == nil || k.N == nil || k.E == 0 {
			return nil, keyError("empty RSA public key")
		}
		if k.N.BitLen() < minKeyBits {
			return nil, keyError(fmt.Sprintf("RSA key of %d bits: at least %d are required", k.N.BitLen(), minKeyBits))
		}
		if k.E < 3 || k.E%2 == 0 {
			return nil, keyError(fmt.Sprintf("RSA public exponent %d: it must be odd and at least 3 (65537 is usual); the key is corrupted or not an RSA signing key", k.E))
		}
		return k, nil
	case *ecdsa.PublicKey:
		return nil, keyError("this is an EC public key: RSA is required")
	case ed25519.PublicKey:
		return nil, keyError("this is an Ed25519 public key: RSA is required")
	default:
		return nil, keyError(fmt.Sprintf("this is a %T public key: RSA is required", pub))
	}
}

func checkPrivateSize(k *rsa.PrivateKey) (*rsa.PrivateKey, error) {
	if k.N.BitLen() < minKeyBits {
		return nil, keyError(fmt.Sprintf("RSA key of %d bits: at least %d are required", k.N.BitLen(), minKeyBits))
	}
	if err := k.Validate(); err != nil {
		return nil, keyError("the RSA private key is inconsistent (corrupted or truncated)")
	}
	k.Precompute()
	return k, nil
}

func keyError(reason string) error { return &SignatureError{Reason: "key: " + reason} }

// isEncryptedPKCS8 recognises an EncryptedPrivateKeyInfo by its PBES2 / PBE algorithm OID
// prefix (1.2.840.113549.1.5 or 1.2.840.113549.1.12), without parsing it.
func isEncryptedPKCS8(der []byte) bool {
	return bytes.Contains(der, []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05}) ||
		bytes.Contains(der, []byte{0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c})
}

// keyKind is which key a parse wants: it names the variable or file to check in the errors.
type keyKind int

const (
	privateKeyKind keyKind = iota // the merchant private key
	publicKeyKind                 // the PayCools platform public key
)

// emptyKeyError is the error for an empty key: what was read was empty, so the variable or
// file it came from is probably unset.
func emptyKeyError(kind keyKind) error {
	if kind == publicKeyKind {
		return keyError("the key is empty: check that the PayCools platform public key (PAYCOOLS_PLATFORM_PUBLIC_KEY_FILE or the variable you read it from) is set and the file is not empty")
	}
	return keyError("the key is empty: check that PAYCOOLS_PRIVATE_KEY or the key file (PAYCOOLS_PRIVATE_KEY_FILE) is set and the file is not empty")
}

// keyForms is what a key error says the SDK accepts.
const keyForms = "accepted forms: a PEM block (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY----- for the merchant key, -----BEGIN PUBLIC KEY----- for the platform key, and the matching -----END ...----- line), or the bare base64 of the key on one line, as the PayCools dashboard shows it"

// keyDER cleans up a pasted key and returns its DER bytes and PEM label ("" for bare base64).
func keyDER(b []byte, kind keyKind) ([]byte, string, error) {
	s := string(b)
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.TrimSpace(s)
	for len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	s = strings.ReplaceAll(s, `\r`, "")
	s = strings.ReplaceAll(s, `\n`, "\n")
	s = strings.ReplaceAll(s, "\r", "")
	if s == "" {
		return nil, "", emptyKeyError(kind)
	}
	if strings.Contains(s, "BEGIN") || strings.Contains(s, "END") || strings.Contains(s, "-----") {
		if err := checkArmorLines(s); err != nil {
			return nil, "", err
		}
	}
	label := ""
	if i := strings.Index(s, "-----BEGIN "); i >= 0 {
		rest := s[i+len("-----BEGIN "):]
		j := strings.Index(rest, "-----")
		if j < 0 {
			return nil, "", keyError("PEM armor without a closing dashes line")
		}
		label = rest[:j]
		if strings.ContainsAny(label, "-\n") || len(label) > 40 {
			// The closing dashes found belong to a later line: the BEGIN line lost some.
			return nil, "", brokenArmorError("BEGIN", strings.Count(s[:i], "\n")+1, 5, 0)
		}
		body := rest[j+5:]
		if k := strings.Index(body, "-----END "); k >= 0 {
			body = body[:k]
		} else {
			return nil, "", keyError("PEM block without an END line (truncated?): it must end with -----END " + label + "-----")
		}
		if strings.Contains(body, "Proc-Type:") && strings.Contains(body, "ENCRYPTED") {
			return nil, "", keyError("encrypted keys are not supported: decrypt it first")
		}
		// Try the standard decoder first (handles headers); fall back to a tolerant body.
		if blk, _ := pem.Decode([]byte(s[i:])); blk != nil && len(blk.Headers) == 0 {
			return blk.Bytes, label, nil
		}
		s = body
	}
	der, err := decodeBase64Loose(s, kind)
	if err != nil {
		return nil, "", err
	}
	return der, label, nil
}

// checkArmorLines names a broken PEM BEGIN or END line: one whose dashes are not five on each
// side, or whose label is missing. A key with a broken BEGIN line used to be reported as "PEM
// block without an END line", which sent people looking at the wrong end of the file.
func checkArmorLines(s string) error {
	for n, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		for _, word := range [...]string{"BEGIN", "END"} {
			at := strings.Index(line, word)
			if at < 0 || strings.Trim(line[:at], "-") != "" {
				continue
			}
			lead, trail := at, len(line)-len(strings.TrimRight(line, "-"))
			if lead == 0 && trail == 0 {
				continue // the word in plain text, not an armor line
			}
			rest := line[at+len(word) : len(line)-trail]
			if lead == 5 && trail == 5 && strings.HasPrefix(rest, " ") && strings.TrimSpace(rest) != "" {
				continue
			}
			return brokenArmorError(word, n+1, lead, trail)
		}
	}
	return nil
}

// brokenArmorError names a broken PEM BEGIN or END line and what it must read.
func brokenArmorError(word string, line, lead, trail int) error {
	return keyError(fmt.Sprintf("the PEM %s line (line %d) is broken: it has %d leading and %d trailing dashes and must read -----%s <LABEL>----- with five dashes on each side, e.g. -----%s PRIVATE KEY-----; %s",
		word, line, lead, trail, word, word, keyForms))
}

// decodeBase64Loose decodes standard or URL-safe base64 with any whitespace inside, padded or
// not. A character outside the alphabet is reported with the word (whitespace-separated part)
// it is in, by position and length, never by its text: the word may be key material.
func decodeBase64Loose(s string, kind keyKind) ([]byte, error) {
	if name, _, ok := strings.Cut(s, "="); ok && envNameRe.MatchString(name) && strings.Trim(s[len(name):], "= \n") != "" {
		return nil, keyError(fmt.Sprintf("the key is not base64: it starts with a %d-character NAME= (a NAME=value line, as in a .env file?): pass only the value; %s", len(name), keyForms))
	}
	var clean strings.Builder
	word, wordStart := 1, 0
	prevSpace := false
	for i, r := range s {
		switch {
		case r == ' ' || r == '\n' || r == '\t' || r == '\r':
			prevSpace = true
			continue
		case prevSpace:
			word, wordStart, prevSpace = word+1, i, false
		}
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '+', r == '/', r == '=':
			clean.WriteRune(r)
		case r == '-':
			clean.WriteByte('+')
		case r == '_':
			clean.WriteByte('/')
		default:
			end := strings.IndexAny(s[wordStart:], " \n\t\r")
			if end < 0 {
				end = len(s) - wordStart
			}
			return nil, keyError(fmt.Sprintf("the key is not base64: word %d (%d characters at position %d) holds %s at position %d, outside the base64 alphabet (A–Z a–z 0–9 + / =)%s; %s",
				word, end, wordStart, describeRune(r), i, notKeyHint(s), keyForms))
		}
	}
	c := strings.TrimRight(clean.String(), "=")
	der, err := base64.RawStdEncoding.DecodeString(c)
	if err != nil {
		return nil, keyError(fmt.Sprintf("the key's base64 is %d characters long, a length no base64 has (a character lost or added when copying?): copy the key again whole; %s", len(c), keyForms))
	}
	if len(der) == 0 {
		return nil, emptyKeyError(kind)
	}
	return der, nil
}

// envNameRe is the NAME of a NAME=value line: an identifier holding an underscore, which the
// start of a base64 key never is ('_' is not in the standard alphabet, and '=' only pads the end).
var envNameRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]*$`)

// describeRune names a character for an error without quoting key material: the characters
// outside the base64 alphabet are never part of a key.
func describeRune(r rune) string { return fmt.Sprintf("the character %q", r) }

// notKeyHint recognises a common mistake: a file name given in place of the key.
func notKeyHint(s string) string {
	t := strings.ToLower(s)
	if !strings.ContainsAny(s, " \n") && (strings.HasSuffix(t, ".pem") || strings.HasSuffix(t, ".key") || strings.HasSuffix(t, ".txt") || strings.HasPrefix(t, "/") || strings.HasPrefix(t, "./")) {
		return ": this looks like a file name, not a key: read the file and pass its contents"
	}
	return ""
}

// KeyPair is a freshly generated merchant key pair, in the forms PayCools needs.
type KeyPair struct {
	// PrivateKey is the key itself; keep it secret.
	PrivateKey *rsa.PrivateKey
	// PrivateKeyPEM is the private key as PKCS#8 PEM ("PRIVATE KEY"), for a file or a secret
	// store. Never log it.
	PrivateKeyPEM []byte
	// PublicKeyPEM is the public key as PKIX PEM ("PUBLIC KEY").
	PublicKeyPEM []byte
	// PublicKeyBase64 is the bare base64 of the PKIX DER on one line: what the PayCools
	// merchant dashboard wants uploaded.
	PublicKeyBase64 string
}

// GenerateKeyPair makes a new merchant RSA key pair of the given size (2048 or 4096, the sizes
// PayCools uses; any other size is refused by CheckKeyBits) and returns it in the forms PayCools
// needs: upload PublicKeyBase64 to the dashboard, keep PrivateKeyPEM secret.
func GenerateKeyPair(bits int) (*KeyPair, error) {
	return generateKeyPair(rand.Reader, bits)
}

// keyGenBits are the sizes a new merchant key may have: the ones PayCools uses.
var keyGenBits = [...]int{2048, 4096}

// CheckKeyBits reports, as a *SignatureError, a size GenerateKeyPair and `paycools keygen`
// refuse: PayCools uses 2048- or 4096-bit RSA keys. It is the one rule both follow.
func CheckKeyBits(bits int) error {
	for _, b := range keyGenBits {
		if bits == b {
			return nil
		}
	}
	return keyError(fmt.Sprintf("a new key of %d bits: PayCools uses 2048- or 4096-bit RSA keys; generate one of those", bits))
}

func generateKeyPair(r io.Reader, bits int) (*KeyPair, error) {
	if err := CheckKeyBits(bits); err != nil {
		return nil, err
	}
	k, err := rsa.GenerateKey(r, bits)
	if err != nil {
		return nil, &SignatureError{Reason: "key generation failed", Err: err}
	}
	priv, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, &SignatureError{Reason: "key encoding failed", Err: err}
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return nil, &SignatureError{Reason: "key encoding failed", Err: err}
	}
	return &KeyPair{
		PrivateKey:      k,
		PrivateKeyPEM:   pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv}),
		PublicKeyPEM:    pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}),
		PublicKeyBase64: base64.StdEncoding.EncodeToString(pub),
	}, nil
}

// rsaSignerPublic returns the RSA public key of a signer, or a *SignatureError saying why it
// cannot sign PayCools requests.
func rsaSignerPublic(s crypto.Signer) (*rsa.PublicKey, error) {
	if s == nil {
		return nil, keyError("no signer: a merchant RSA private key (or crypto.Signer holding one) is needed")
	}
	if v := reflect.ValueOf(s); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, keyError(fmt.Sprintf("the signer is a nil %T: was the error of ParsePrivateKey ignored (key, _ := ...)?", s))
	}
	if k, ok := s.(*rsa.PrivateKey); ok && (k.N == nil || k.D == nil) {
		return nil, keyError("empty RSA private key")
	}
	return publicOf(s)
}

// publicOf calls the signer's Public, turning a panic (a half-built KMS signer) into an
// error.
func publicOf(s crypto.Signer) (pub *rsa.PublicKey, err error) {
	defer func() {
		if recover() != nil {
			pub, err = nil, keyError(fmt.Sprintf("the %T signer panicked in Public(): it is not usable", s))
		}
	}()
	return checkPublic(s.Public())
}

// SignParam signs the exact bytes of a param string as PayCools wants: RSASSA-PKCS1-v1_5 over
// SHA-256, with the merchant private key (any crypto.Signer holding an RSA key), encoded as
// standard base64 with padding. It is what every request does; export for debugging a
// signature by hand.
func SignParam(signer crypto.Signer, param []byte) (string, error) {
	if _, err := rsaSignerPublic(signer); err != nil {
		return "", err
	}
	return signParam(signer, param)
}

func signParam(signer crypto.Signer, param []byte) (string, error) {
	sum := sha256.Sum256(param)
	sig, err := signer.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		return "", &SignatureError{Reason: "signing failed", Err: redactedError{err}}
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// redactedError is an error from outside the SDK (a KMS or HSM signer's) whose text is
// redacted as a server's is: a signer may quote key material or request bytes. errors.Is and
// errors.As still reach the original.
type redactedError struct{ err error }

func (e redactedError) Error() string { return redactText(e.err.Error(), 200) }

func (e redactedError) Unwrap() error { return e.err }

// ErrSignatureMismatch is wrapped by the *SignatureError returned when a well-formed signature
// does not verify over the given bytes with the given key.
var ErrSignatureMismatch = errors.New("signature does not verify over the exact param bytes with this key")

// ErrCallbackSecretMismatch is wrapped by the *SignatureError of a flat SHA-1 callback whose
// sign is not the SHA-1 of its signed members with the callback secret (WithCallbackSecret):
// the secret is not this appId's, or PayCools changed it. errors.Is(err, ErrSignatureMismatch)
// holds for it too.
var ErrCallbackSecretMismatch error = callbackSecretMismatch{}

type callbackSecretMismatch struct{}

func (callbackSecretMismatch) Error() string {
	return "the sign does not match the callback secret: check that WithCallbackSecret has the callback secret of this appId from the PayCools dashboard"
}

// Is makes a callback secret mismatch a signature mismatch too.
func (callbackSecretMismatch) Is(target error) bool { return target == ErrSignatureMismatch }

// VerifyParam checks that sign is the SHA256withRSA signature of the exact bytes of param
// under pub. It refuses, with a *SignatureError naming the problem, a sign that is not
// standard base64 (a space where a '+' was, URL-safe '-' or '_'), has the wrong length for the
// key, or does not verify. CR and LF inside sign (line-wrapping Java encoders) are ignored.
func VerifyParam(pub *rsa.PublicKey, param []byte, sign string) error {
	if pub == nil {
		return &SignatureError{Reason: "no public key to verify with"}
	}
	sig, err := decodeSign(sign)
	if err != nil {
		return err
	}
	if len(sig) != pub.Size() {
		return &SignatureError{Reason: fmt.Sprintf("sign is %d bytes, a %d-bit key gives %d (wrong key or truncated sign)", len(sig), pub.N.BitLen(), pub.Size())}
	}
	sum := sha256.Sum256(param)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return &SignatureError{Reason: "bad signature", Err: ErrSignatureMismatch}
	}
	return nil
}

// crlfRemover drops CR and LF. Built once: a Replacer builds a 6 KiB table on first use, and
// building one per callback was the largest allocation of ParseNotification.
var crlfRemover = strings.NewReplacer("\r", "", "\n", "")

// decodeSign decodes a sign value with base64.StdEncoding after dropping CR/LF, and names the
// first character outside the standard alphabet.
func decodeSign(sign string) ([]byte, error) {
	s := sign
	if strings.ContainsAny(s, "\r\n") {
		s = crlfRemover.Replace(s)
	}
	if s == "" {
		return nil, &SignatureError{Reason: "sign is empty"}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/', c == '=':
		case c == ' ':
			return nil, &SignatureError{Reason: fmt.Sprintf("sign has a space at position %d: a '+' was probably turned into a space in transit (form or URL decoding)", i)}
		case c == '-' || c == '_':
			return nil, &SignatureError{Reason: fmt.Sprintf("sign has %q at position %d: URL-safe base64 is not accepted, PayCools uses standard base64", c, i)}
		default:
			return nil, &SignatureError{Reason: fmt.Sprintf("sign has a character outside standard base64 at position %d", i)}
		}
	}
	sig, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, &SignatureError{Reason: "sign is not valid padded standard base64"}
	}
	return sig, nil
}
