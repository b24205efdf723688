package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"

	paycools "github.com/paycools-sdk/paycools-go"
)

// keyReport is what doctor found in one key file: its form, the RSA public key it yields
// (derived from a private key when need be), and findings about its form.
type keyReport struct {
	// Flag is how the key was given, e.g. "-key" or "-other-key".
	Flag string
	// Name is the file name, for messages.
	Name string
	// Form describes what was found, e.g. `PEM "PRIVATE KEY" (PKCS#8) holding a 2048-bit RSA private key`.
	Form string
	// Pub is the RSA public key to verify with; nil when none could be recovered.
	Pub *rsa.PublicKey
	// Private is true when the file held a private key (Pub is derived from it).
	Private bool
	// Findings are the problems and notes about the key's form.
	Findings []Finding
}

// label names the key in messages: flag, file, size and the tail of its base64 public key
// (what the PayCools dashboard shows), so that two keys can be told apart.
func (k *keyReport) label() string {
	if k.Pub == nil {
		return fmt.Sprintf("%s %s", k.Flag, k.Name)
	}
	return fmt.Sprintf("%s %s (%d-bit RSA, public key %s)", k.Flag, k.Name, k.Pub.N.BitLen(), pubFingerprint(k.Pub))
}

// pubFingerprint identifies a public key by the last characters of its bare base64 PKIX form
// (what the dashboard shows) and its paycools.KeyFingerprint (what the SDK logs).
func pubFingerprint(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "?"
	}
	b64 := base64.StdEncoding.EncodeToString(der)
	return fmt.Sprintf("base64 ending …%s, fingerprint %s", b64[len(b64)-12:], paycools.KeyFingerprint(pub))
}

// derKind is what a DER blob holds.
type derKind int

const (
	derUnknown derKind = iota
	derPKIXPublic
	derPKCS1Public
	derPKCS8Private
	derPKCS1Private
	derCertificate
	derECPrivate
	derEncryptedPKCS8
)

// pemLabel is the PEM armor label that goes with each kind of DER.
var pemLabel = map[derKind]string{
	derPKIXPublic:     "PUBLIC KEY",
	derPKCS1Public:    "RSA PUBLIC KEY",
	derPKCS8Private:   "PRIVATE KEY",
	derPKCS1Private:   "RSA PRIVATE KEY",
	derCertificate:    "CERTIFICATE",
	derECPrivate:      "EC PRIVATE KEY",
	derEncryptedPKCS8: "ENCRYPTED PRIVATE KEY",
}

// derName describes each kind of DER in messages.
var derName = map[derKind]string{
	derPKIXPublic:     "PKIX (X.509 SubjectPublicKeyInfo) public key",
	derPKCS1Public:    "PKCS#1 RSA public key",
	derPKCS8Private:   "PKCS#8 private key",
	derPKCS1Private:   "PKCS#1 RSA private key",
	derCertificate:    "X.509 certificate",
	derECPrivate:      "SEC1 EC private key",
	derEncryptedPKCS8: "encrypted PKCS#8 private key",
}

// classified is a parsed DER blob.
type classified struct {
	kind derKind
	key  any // the parsed key: *rsa.PublicKey, *rsa.PrivateKey, *ecdsa..., or a certificate's key
}

func classifyDER(der []byte) classified {
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		return classified{derPKIXPublic, k}
	}
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return classified{derPKCS1Public, k}
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return classified{derPKCS8Private, k}
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return classified{derPKCS1Private, k}
	}
	if c, err := x509.ParseCertificate(der); err == nil {
		return classified{derCertificate, c.PublicKey}
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return classified{derECPrivate, k}
	}
	if bytes.Contains(der, []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05}) ||
		bytes.Contains(der, []byte{0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c}) {
		return classified{kind: derEncryptedPKCS8}
	}
	return classified{kind: derUnknown}
}

// cleanKeyText undoes what pasting does to a key: BOM, surrounding whitespace and quotes,
// escaped newlines, CR.
func cleanKeyText(b []byte) string {
	s := strings.TrimPrefix(string(b), "\ufeff")
	s = strings.TrimSpace(s)
	for len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	s = strings.ReplaceAll(s, `\r`, "")
	s = strings.ReplaceAll(s, `\n`, "\n")
	return strings.ReplaceAll(s, "\r", "")
}

// looseBase64 decodes standard or URL-safe base64 with whitespace inside, padded or not. On a
// length that cannot be whole base64 (a cut-off key), it decodes what it can and says so.
func looseBase64(s string) (der []byte, cut bool, err error) {
	var clean strings.Builder
	for i, r := range s {
		switch {
		case r == ' ' || r == '\n' || r == '\t' || r == '\r':
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '+', r == '/':
			clean.WriteRune(r)
		case r == '-':
			clean.WriteByte('+')
		case r == '_':
			clean.WriteByte('/')
		case r == '=':
		default:
			return nil, false, fmt.Errorf("character %q at position %d is neither base64 nor PEM", r, i)
		}
	}
	c := clean.String()
	if len(c)%4 == 1 {
		c, cut = c[:len(c)-1], true
	}
	der, err = base64.RawStdEncoding.DecodeString(c)
	if err != nil {
		return nil, cut, fmt.Errorf("invalid base64: %v", err)
	}
	return der, cut, nil
}

// derLength is the total length that a DER SEQUENCE announces in its header, or -1.
func derLength(der []byte) int {
	if len(der) < 2 || der[0] != 0x30 {
		return -1
	}
	l := int(der[1])
	if l < 0x80 {
		return 2 + l
	}
	n := l & 0x7f
	if n == 0 || n > 3 || len(der) < 2+n {
		return -1
	}
	total := 0
	for _, b := range der[2 : 2+n] {
		total = total<<8 | int(b)
	}
	return 2 + n + total
}

// guessKind guesses what a DER blob that does not parse was meant to be, from its first
// bytes after the outer SEQUENCE header.
func guessKind(der []byte) string {
	l := derLength(der)
	if l < 0 {
		return "not DER at all"
	}
	hdr := 2
	if der[1] >= 0x80 {
		hdr += int(der[1] & 0x7f)
	}
	rest := der[hdr:]
	switch {
	case bytes.HasPrefix(rest, []byte{0x02, 0x01, 0x00, 0x30}):
		return "a PKCS#8 private key"
	case bytes.HasPrefix(rest, []byte{0x02, 0x01, 0x00, 0x02}):
		return "a PKCS#1 RSA private key"
	case bytes.HasPrefix(rest, []byte{0x30, 0x0d, 0x06, 0x09}):
		return "a PKIX public key"
	case bytes.HasPrefix(rest, []byte{0x02}):
		return "a PKCS#1 RSA public key"
	case bytes.HasPrefix(rest, []byte{0x30}):
		return "a PKIX public key or a certificate"
	}
	return "an unknown structure"
}

// Typical lengths of whole keys, for the truncation message.
const keySizesHint = "whole keys are: 2048-bit PKIX public 294 bytes (392 base64 characters), 4096-bit 550 (736); " +
	"2048-bit PKCS#8 private about 1217 bytes (1624 characters), 4096-bit about 2375 (3164)"

// inspectKey examines one key file for doctor. A private key is accepted: its public half is
// used, with a note, because doctor verifies signatures and needs the public key.
func inspectKey(flagName, name string, raw []byte) *keyReport {
	r := &keyReport{Flag: flagName, Name: name}
	who := fmt.Sprintf("%s %s", flagName, name)
	s := cleanKeyText(raw)
	if s == "" {
		r.Form = "an empty file"
		r.Findings = append(r.Findings, problem(CauseKeyUnusable, "%s is empty.", who))
		return r
	}

	var (
		der       []byte
		label     string // PEM label, "" for bare base64
		pemNote   string
		truncated string
	)
	if i := strings.Index(s, "-----BEGIN "); i >= 0 {
		rest := s[i+len("-----BEGIN "):]
		j := strings.Index(rest, "-----")
		if j < 0 {
			r.Form = "a broken PEM header"
			r.Findings = append(r.Findings, problem(CauseKeyTruncated,
				"%s: the PEM header line \"-----BEGIN …\" is cut off: the key looks truncated (%d characters in all).", who, len(s)))
			return r
		}
		label = rest[:j]
		body := rest[j+5:]
		if k := strings.Index(body, "-----END "); k >= 0 {
			body = body[:k]
		} else {
			truncated = fmt.Sprintf("the PEM block has no \"-----END %s-----\" line", label)
		}
		if blk, _ := pem.Decode([]byte(s[i:])); blk != nil {
			if len(blk.Headers) > 0 {
				if blk.Headers["Proc-Type"] != "" {
					r.Form = fmt.Sprintf("PEM %q encrypted with a passphrase (Proc-Type header)", label)
					r.Findings = append(r.Findings, problem(CauseKeyUnusable,
						"%s is an encrypted PEM key: neither the SDK nor PayCools tools take a passphrase; decrypt it first (openssl pkey -in %s -out plain.pem).", who, name))
					return r
				}
			}
			der = blk.Bytes
		} else {
			d, cut, err := looseBase64(body)
			if err != nil {
				r.Form = fmt.Sprintf("PEM %q with a body that is not base64", label)
				r.Findings = append(r.Findings, problem(CauseKeyUnusable, "%s: PEM %q whose body is not base64: %v.", who, label, err))
				return r
			}
			der = d
			if cut && truncated == "" {
				truncated = "the base64 body stops in the middle of a group"
			}
			if truncated == "" {
				pemNote = "the PEM is not laid out in lines (one line, or spaces inside): the SDK accepts it, OpenSSL and Java do not"
			}
		}
	} else {
		d, cut, err := looseBase64(s)
		if err != nil {
			r.Form = "neither PEM nor base64"
			r.Findings = append(r.Findings, problem(CauseKeyUnusable,
				"%s is neither PEM (no -----BEGIN line) nor bare base64: %v.", who, err))
			return r
		}
		if bytes.HasPrefix(bytes.TrimSpace(d), []byte("-----BEGIN ")) {
			inner := inspectKey(flagName, name, d)
			inner.Form = "base64 of a PEM file, holding " + inner.Form
			f := problem(CauseKeyBase64OfPEM,
				"%s is base64 of a whole PEM file (as a Kubernetes secret or CI variable stores it), not the key itself: "+
					"paycools.ParsePrivateKey/ParsePublicKey refuse it; base64-decode it once (base64 -d) and use the PEM inside.", who)
			inner.Findings = append([]Finding{f}, inner.Findings...)
			return inner
		}
		der = d
		if cut {
			truncated = "the base64 stops in the middle of a group"
		}
	}

	c := classifyDER(der)
	if c.kind == derUnknown {
		want := derLength(der)
		switch {
		case truncated != "" || (want > 0 && len(der) < want):
			why := truncated
			if want > 0 && len(der) < want {
				if why != "" {
					why += "; "
				}
				why += fmt.Sprintf("its DER announces %d bytes but only %d are there, %d missing", want, len(der), want-len(der))
			}
			r.Form = fmt.Sprintf("%d bytes of DER that look like the start of %s", len(der), guessKind(der))
			r.Findings = append(r.Findings, problem(CauseKeyTruncated,
				"%s does not parse: the key looks truncated (%s). It has %d base64 characters, %d bytes of DER, and looks like the start of %s; %s. Copy the whole key again.",
				who, why, base64.StdEncoding.EncodedLen(len(der)), len(der), guessKind(der), keySizesHint))
		default:
			r.Form = fmt.Sprintf("%d bytes of DER that parse as no known key", len(der))
			r.Findings = append(r.Findings, problem(CauseKeyUnusable,
				"%s does not parse as any key form (PKIX, PKCS#1, PKCS#8, certificate): %d bytes of DER, looking like %s. %s",
				who, len(der), guessKind(der), sdkVerdicts(raw)))
		}
		return r
	}
	if truncated != "" {
		r.Findings = append(r.Findings, problem(CauseKeyTruncated,
			"%s looks truncated: %s, so paycools.ParsePrivateKey/ParsePublicKey refuse it. The %d bytes of DER inside are whole, so only the end was lost: restore the END line (\"-----END %s-----\").",
			who, truncated, len(der), label))
	}

	// What key is inside, and its RSA public half.
	var what string
	switch k := c.key.(type) {
	case *rsa.PublicKey:
		r.Pub, what = k, fmt.Sprintf("a %d-bit RSA public key", k.N.BitLen())
	case *rsa.PrivateKey:
		r.Pub, r.Private, what = &k.PublicKey, true, fmt.Sprintf("a %d-bit RSA private key", k.N.BitLen())
	case *ecdsa.PublicKey, *ecdsa.PrivateKey:
		what = "an EC key"
	case ed25519.PublicKey, ed25519.PrivateKey:
		what = "an Ed25519 key"
	case nil:
		what = "a key"
	default:
		what = fmt.Sprintf("a %T key", k)
	}
	if label != "" {
		r.Form = fmt.Sprintf("a PEM %q block holding a %s: %s", label, derName[c.kind], what)
	} else {
		r.Form = fmt.Sprintf("bare base64 DER of a %s: %s", derName[c.kind], what)
	}
	if c.kind == derCertificate {
		r.Form = fmt.Sprintf("%s certificate holding %s", map[bool]string{true: "a PEM", false: "bare base64 DER of a"}[label != ""], what)
	}
	if c.kind == derPKCS8Private || c.kind == derPKCS1Private {
		r.Private = true
	}

	// The SDK's verdict, in one finding that states the form.
	r.Findings = append([]Finding{note(CauseKeyForm, "%s is %s. %s", who, r.Form, sdkVerdicts(raw))}, r.Findings...)
	if pemNote != "" {
		r.Findings = append(r.Findings, note(CauseKeyForm, "%s: %s.", who, pemNote))
	}

	if label != "" && !labelFits(label, c.kind) {
		r.Findings = append(r.Findings, problem(CauseKeyPEMLabel,
			"%s: the PEM armor says %q but the DER inside is a %s, whose armor is %q. paycools.Parse*Key accepts it (the DER decides), but OpenSSL and Java refuse it: change the BEGIN and END lines to %q.",
			who, label, derName[c.kind], pemLabel[c.kind], pemLabel[c.kind]))
	}

	switch c.kind {
	case derECPrivate, derEncryptedPKCS8:
		r.Findings = append(r.Findings, problem(CauseKeyUnusable, "%s is a %s: PayCools signatures need a plain RSA key.", who, derName[c.kind]))
		return r
	}
	if r.Pub == nil {
		r.Findings = append(r.Findings, problem(CauseKeyUnusable, "%s holds %s: PayCools signatures are RSA (SHA256withRSA); this key cannot have made or checked one.", who, what))
		return r
	}
	if r.Pub.N.BitLen() < 2048 {
		r.Findings = append(r.Findings, problem(CauseKeyTooSmall,
			"%s is a %d-bit RSA key: PayCools keys are 2048 or 4096 bits and the SDK refuses anything under 2048. Doctor still checks the signature with it.", who, r.Pub.N.BitLen()))
	}
	switch {
	case r.Private:
		r.Findings = append(r.Findings, note(CausePrivateForPublic,
			"%s is a private key where a public key is expected: doctor derived its public key (%s) and verifies with that. "+
				"Where the SDK expects a public key (paycools.ParsePublicKey, WithPlatformPublicKey) a private key is refused: "+
				"callbacks verify with the PayCools platform public key that PayCools sent you, never with your merchant key. "+
				"This key's public half, as the dashboard wants it: %s",
			who, pubFingerprint(r.Pub), pkixBase64(r.Pub)))
	case c.kind == derPKCS1Public:
		r.Findings = append(r.Findings, note(CausePKCS1Public,
			"%s is a PKCS#1 \"RSA PUBLIC KEY\" where a PKIX \"PUBLIC KEY\" (X.509 SubjectPublicKeyInfo) is expected. paycools.ParsePublicKey accepts it, "+
				"but the PayCools dashboard wants the bare base64 of the PKIX form (starting MIIBIjANBgkqhkiG9w0BAQEFAAOC… or MIICIjANBgkqhkiG9w0BAQEFAAOC…) and Java's X509EncodedKeySpec refuses PKCS#1. The PKIX form of this key: %s",
			who, pkixBase64(r.Pub)))
	}
	return r
}

// labelFits reports whether a PEM label is the right armor for a DER kind.
func labelFits(label string, kind derKind) bool {
	if label == pemLabel[kind] {
		return true
	}
	// An EC or RSA key in PKCS#8 is sometimes armored generically; a certificate may be
	// "X509 CERTIFICATE" in old tools.
	return kind == derCertificate && label == "X509 CERTIFICATE"
}

// sdkVerdicts says whether paycools.ParsePublicKey and ParsePrivateKey accept the raw key.
func sdkVerdicts(raw []byte) string {
	verdict := func(fn string, err error) string {
		if err == nil {
			return fn + " accepts it"
		}
		return fmt.Sprintf("%s refuses it (%s)", fn, strings.TrimPrefix(sdkReason(err), "key: "))
	}
	_, errPub := paycools.ParsePublicKey(raw)
	_, errPriv := paycools.ParsePrivateKey(raw)
	return verdict("paycools.ParsePublicKey", errPub) + "; " + verdict("paycools.ParsePrivateKey", errPriv) + "."
}

// pkixBase64 is the bare base64 PKIX form of pub: what the PayCools dashboard wants.
func pkixBase64(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "?"
	}
	return base64.StdEncoding.EncodeToString(der)
}
