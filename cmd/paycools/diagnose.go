package main

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	paycools "github.com/paycools-sdk/paycools-go"
)

// Cause names one diagnosis of "paycools doctor". The values are stable: they are printed and
// tests assert on them.
type Cause string

// Every diagnosis doctor makes.
const (
	// CauseVerified: the signature verifies as given (SHA256withRSA over the exact param).
	CauseVerified Cause = "verified"

	// CauseKeyForm: what form a key file was found in, and whether the SDK parsers accept it.
	CauseKeyForm Cause = "key-form"
	// CauseKeyPEMLabel: the PEM armor label does not match the DER inside.
	CauseKeyPEMLabel Cause = "key-pem-label"
	// CausePKCS1Public: a PKCS#1 "RSA PUBLIC KEY" where PKIX "PUBLIC KEY" is expected.
	CausePKCS1Public Cause = "key-pkcs1-public"
	// CausePrivateForPublic: a private key where a public key is expected (its public half is used).
	CausePrivateForPublic Cause = "key-private-for-public"
	// CauseKeyBase64OfPEM: base64 of a whole PEM file instead of the key.
	CauseKeyBase64OfPEM Cause = "key-base64-of-pem"
	// CauseKeyTruncated: the key does not parse and looks cut off.
	CauseKeyTruncated Cause = "key-truncated"
	// CauseKeyUnusable: the key does not parse or is not RSA, for another reason.
	CauseKeyUnusable Cause = "key-unusable"
	// CauseKeyTooSmall: an RSA key under 2048 bits.
	CauseKeyTooSmall Cause = "key-too-small"

	// CauseBodyNotJSON: the body is not a JSON object.
	CauseBodyNotJSON Cause = "body-not-json"
	// CauseBodyForm: the body is form/query encoded instead of JSON.
	CauseBodyForm Cause = "body-form-encoded"
	// CauseBodyIncomplete: param or sign is missing or of the wrong JSON type.
	CauseBodyIncomplete Cause = "body-incomplete"
	// CauseParamObject: param is a JSON object in the body instead of a string.
	CauseParamObject Cause = "param-object"

	// CauseSignPlusAsSpace: a '+' of the sign became a space.
	CauseSignPlusAsSpace Cause = "sign-plus-as-space"
	// CauseSignURLSafe: the sign uses URL-safe base64 ('-', '_').
	CauseSignURLSafe Cause = "sign-url-safe-base64"
	// CauseSignUnpadded: the sign lacks its '=' padding.
	CauseSignUnpadded Cause = "sign-no-padding"
	// CauseSignWrapped: the sign has line breaks inside (accepted; a note).
	CauseSignWrapped Cause = "sign-line-wrapped"
	// CauseSignHex: the sign is hex, not base64.
	CauseSignHex Cause = "sign-hex"
	// CauseSignDoubleBase64: the sign is base64 of the base64 text.
	CauseSignDoubleBase64 Cause = "sign-double-base64"
	// CauseSignNotBase64: the sign cannot be decoded at all.
	CauseSignNotBase64 Cause = "sign-not-base64"
	// CauseSignLength: the sign has the wrong length for the key.
	CauseSignLength Cause = "sign-length"

	// CauseWrongKey: the signature verifies with -other-key, not -key.
	CauseWrongKey Cause = "wrong-key"
	// CauseSignedBy: with -other-key, which of the two keys made the signature, by
	// fingerprint (paycools.KeyFingerprint): the answer during a key rotation.
	CauseSignedBy Cause = "signed-by"
	// CauseUnknownKey: nothing verifies with any key given: most likely another key signed.
	CauseUnknownKey Cause = "unknown-key"

	// CauseReserialized: the signature covers a re-serialization of param, not the bytes sent.
	CauseReserialized Cause = "param-reserialized"
	// CauseTrailingNewline: the signed bytes and the sent bytes differ by a trailing newline.
	CauseTrailingNewline Cause = "trailing-newline"
	// CauseOuterBody: the outer body was signed instead of param.
	CauseOuterBody Cause = "signed-outer-body"
	// CauseAppIDParam: "appId=…&param=…" was signed instead of param.
	CauseAppIDParam Cause = "signed-appid-param"
	// CauseLegacyKV: the legacy Philippine sorted "k=v&…" string was signed instead of param.
	CauseLegacyKV Cause = "signed-legacy-kv"
	// CauseSHA1: SHA1withRSA instead of SHA256withRSA.
	CauseSHA1 Cause = "sha1"
	// CauseSHA512: SHA512withRSA instead of SHA256withRSA.
	CauseSHA512 Cause = "sha512"
	// CausePSS: RSA-PSS instead of PKCS#1 v1.5.
	CausePSS Cause = "pss"
)

// Severity says how much a finding matters.
type Severity int

// Severities, mildest first.
const (
	SeverityOK      Severity = iota // the signature verifies
	SeverityNote                    // worth knowing; nothing fails because of it
	SeverityProblem                 // a reason why the signature fails, or will fail elsewhere
)

// String is the severity as doctor prints it.
func (s Severity) String() string {
	switch s {
	case SeverityOK:
		return "ok"
	case SeverityNote:
		return "note"
	}
	return "problem"
}

// Finding is one diagnosis: a stable cause, how much it matters, and a message for people.
type Finding struct {
	Cause    Cause    // what was found, stable for tests and scripts
	Severity Severity // a problem that breaks the signature, or a note
	Message  string   // the explanation for people
}

func note(c Cause, format string, a ...any) Finding {
	return Finding{c, SeverityNote, fmt.Sprintf(format, a...)}
}

func problem(c Cause, format string, a ...any) Finding {
	return Finding{c, SeverityProblem, fmt.Sprintf(format, a...)}
}

// Inputs is what doctor examines: one or two keys, and a body or a param and a sign.
type Inputs struct {
	// Key is the raw content of -key: the key that should verify (any form; a private key's
	// public half is used). KeyName names it in messages.
	Key     []byte
	KeyName string
	// OtherKey is the raw content of -other-key, or nil: the other key of the pair (the
	// platform key when Key is the merchant's, or the reverse), to tell which one signed.
	OtherKey     []byte
	OtherKeyName string
	// Body is a whole request or callback body; when nil, Param and Sign are used.
	Body []byte
	// Param is the exact param bytes, and Sign the sign, when Body is nil.
	Param []byte
	Sign  string
	// AppID is the appId for the "appId=…&param=…" check when the body carries none.
	AppID string
}

// candidate is one byte string the signer may have signed, with the diagnosis if it is the one.
type candidate struct {
	msg   []byte
	cause Cause  // "" for the exact param
	what  string // for the finding: what was signed instead
}

// hashChoice is one digest the signer may have used.
type hashChoice struct {
	hash  crypto.Hash
	cause Cause
	sum   func([]byte) []byte
}

var hashChoices = []hashChoice{
	{crypto.SHA256, "", func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }},
	{crypto.SHA1, CauseSHA1, func(b []byte) []byte { s := sha1.Sum(b); return s[:] }},
	{crypto.SHA512, CauseSHA512, func(b []byte) []byte { s := sha512.Sum512(b); return s[:] }},
}

// diagnose says why a PayCools signature does or does not verify. It inspects the keys and the
// input, repairs what can be repaired in the sign, then tries every known mistake — each key,
// the exact param and its variants (trailing newline, re-serializations, the outer body,
// appId=…&param=…, the legacy k=v string), SHA-256/SHA-1/SHA-512, PKCS#1 v1.5 and PSS — and
// reports the combination that verifies, one finding per mistake in it. When nothing
// verifies it says so, with what that most likely means.
func diagnose(in Inputs) []Finding {
	var out []Finding

	// Keys.
	keyName := in.KeyName
	if keyName == "" {
		keyName = "(key)"
	}
	var keys []*keyReport
	primary := inspectKey("-key", keyName, in.Key)
	out = append(out, primary.Findings...)
	if primary.Pub != nil {
		keys = append(keys, primary)
	}
	var other *keyReport
	if in.OtherKey != nil {
		name := in.OtherKeyName
		if name == "" {
			name = "(other key)"
		}
		other = inspectKey("-other-key", name, in.OtherKey)
		out = append(out, other.Findings...)
		if other.Pub != nil {
			if primary.Pub != nil && other.Pub.Equal(primary.Pub) {
				out = append(out, note(CauseKeyForm, "-key and -other-key are the same key pair (%s): the check cannot tell merchant from platform key.", pubFingerprint(primary.Pub)))
			} else {
				keys = append(keys, other)
			}
		}
	}

	// Input.
	inp, fs := readInput(in)
	out = append(out, fs...)
	if inp == nil {
		return out
	}

	// Sign.
	sig, repairs, ok := decodeSignRepairing(inp.sign, keys)
	if !ok {
		return append(out, repairs...)
	}

	if len(keys) == 0 {
		out = append(out, repairs...)
		return append(out, note(CauseKeyUnusable, "No usable RSA key was given, so the signature was not checked: fix the key first (see above)."))
	}

	// Search.
	cands := candidates(inp)
	type match struct {
		key    *keyReport
		cand   candidate
		hash   hashChoice
		pss    bool
		exists bool
	}
	var m match
search:
	for _, k := range keys {
		if len(sig) != k.Pub.Size() {
			continue
		}
		for _, c := range cands {
			for _, h := range hashChoices {
				digest := h.sum(c.msg)
				if rsa.VerifyPKCS1v15(k.Pub, h.hash, digest, sig) == nil {
					m = match{k, c, h, false, true}
					break search
				}
				if rsa.VerifyPSS(k.Pub, h.hash, digest, sig, nil) == nil {
					m = match{k, c, h, true, true}
					break search
				}
			}
		}
	}

	if !m.exists {
		for i := range repairs {
			if repairs[i].Severity == SeverityProblem {
				repairs[i].Message += " Even repaired, the signature does not verify (see below)."
			}
		}
		out = append(out, repairs...)
		return append(out, noMatch(inp, primary, other, sig, len(cands))...)
	}

	clean := m.key == primary && m.cand.cause == "" && m.hash.cause == "" && !m.pss
	for i := range repairs {
		if repairs[i].Severity == SeverityProblem {
			if clean {
				repairs[i].Message += " Repaired, the signature verifies: this is the only problem."
			} else {
				repairs[i].Message += " Repaired, the signature verifies once the other problems below are accounted for."
			}
		}
	}
	out = append(out, repairs...)
	if m.key != primary {
		roles := keyRoles
		if primary.Private && other.Private {
			roles = rotationRoles
		}
		out = append(out, problem(CauseWrongKey,
			"The signature was made with the other key: it verifies with %s, not with %s. %s",
			m.key.label(), primary.label(), roles))
	}
	if other != nil && other.Pub != nil && primary.Pub != nil && !other.Pub.Equal(primary.Pub) {
		notBy := other
		if m.key == other {
			notBy = primary
		}
		out = append(out, note(CauseSignedBy, "Signed by %s %s, fingerprint %s; not by %s %s, fingerprint %s. "+
			"The SDK names keys by the same fingerprint (paycools.KeyFingerprint, key_fingerprint in its callback log lines).",
			m.key.Flag, m.key.Name, paycools.KeyFingerprint(m.key.Pub), notBy.Flag, notBy.Name, paycools.KeyFingerprint(notBy.Pub)))
	}
	if m.cand.cause != "" {
		out = append(out, problem(m.cand.cause, "%s", m.cand.what))
	}
	switch m.hash.cause {
	case CauseSHA1:
		out = append(out, problem(CauseSHA1,
			"The signature was made with SHA-1 (SHA1withRSA) instead of SHA-256 (SHA256withRSA). PayCools and the SDK accept only SHA-256: "+
				"in Go pass crypto.SHA256 and sha256.Sum256, in Java Signature.getInstance(\"SHA256withRSA\"), in OpenSSL dgst -sha256."))
	case CauseSHA512:
		out = append(out, problem(CauseSHA512,
			"The signature was made with SHA-512 (SHA512withRSA) instead of SHA-256 (SHA256withRSA). PayCools accepts only SHA-256."))
	}
	if m.pss {
		out = append(out, problem(CausePSS,
			"The signature uses RSA-PSS padding instead of PKCS#1 v1.5. PayCools wants RSASSA-PKCS1-v1_5 (\"SHA256withRSA\"): "+
				"in Go pass crypto.SHA256 as the signer options, never *rsa.PSSOptions; in Java use SHA256withRSA, not RSASSA-PSS."))
	}
	if clean && !hasProblem(repairs) {
		msg := fmt.Sprintf("The signature verifies: SHA256withRSA (PKCS#1 v1.5) over the exact %d param bytes, with %s.", len(inp.param), primary.label())
		if other != nil && other.Pub != nil && m.key == primary {
			msg += " It does not come from -other-key."
		}
		out = append(out, Finding{CauseVerified, SeverityOK, msg})
	}
	return out
}

// rotationRoles explains a signature by the other of two private keys: both are the
// merchant's own, so this is a rotation of the merchant key, not a mix-up with PayCools' key.
const rotationRoles = "Both are private keys, so both are the merchant's own: during a rotation of the merchant key, this body was signed with the key named above. " +
	"PayCools checks a request with the merchant public key the dashboard holds: sign with the key whose public half is uploaded, and switch the client (a new paycools.Client) when the dashboard switches."

// keyRoles explains which key signs and verifies what (docs/envelope.md §4, §9, §11).
const keyRoles = "A request is signed with the merchant private key and PayCools checks it with the merchant public key uploaded to the dashboard; " +
	"a callback is signed by PayCools with its platform key and is verified with the PayCools platform public key (WithPlatformPublicKey), never with the merchant's own key. " +
	"Check which key is loaded where."

func hasProblem(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == SeverityProblem {
			return true
		}
	}
	return false
}

// noMatch explains a signature that verifies under no variant with no key.
func noMatch(inp *input, primary, other *keyReport, sig []byte, variants int) []Finding {
	var out []Finding
	if primary.Pub != nil && len(sig) != primary.Pub.Size() {
		msg := fmt.Sprintf("The sign decodes to %d bytes, but a signature by %s is %d bytes.", len(sig), primary.label(), primary.Pub.Size())
		switch len(sig) {
		case 128, 256, 384, 512:
			msg += fmt.Sprintf(" %d bytes is what a %d-bit key gives: the signature was made with another key, not this one.", len(sig), len(sig)*8)
		default:
			msg += " The sign looks truncated or corrupted."
		}
		out = append(out, problem(CauseSignLength, "%s", msg))
	}
	keysTried := primary.label()
	if other != nil && other.Pub != nil {
		keysTried += " nor with " + other.label()
	}
	var hints []string
	if looksLikeCallback(inp) {
		if primary.Private {
			hints = append(hints, "This looks like a callback (param has an eventName) and -key is a private key, presumably your merchant key: "+
				"PayCools signs callbacks with its platform key, so verify them with the PayCools platform public key it sent you at onboarding.")
		} else {
			hints = append(hints, "This looks like a callback (param has an eventName): it must verify with the PayCools platform public key it sent you at onboarding, not with your merchant key.")
		}
	} else {
		hints = append(hints, "For a request, the signer must use the merchant private key whose public key is uploaded to the PayCools dashboard; compare this key's base64 ending with the dashboard's.")
	}
	if other == nil {
		hints = append(hints, "Give the other key with -other-key to check whether it made the signature.")
	}
	if inp.appID == "" {
		hints = append(hints, "\"appId=…&param=…\" was not tried: no appId is known (give -app-id).")
	}
	hints = append(hints, "Otherwise param was changed after it was signed (a field edited, another timestamp), or the signer signed different bytes altogether.")
	out = append(out, problem(CauseUnknownKey,
		"The signature does not verify with %s, over any of %d candidate messages (the exact param, trailing-newline variants, re-serializations, the outer body, appId=…&param=…, the legacy k=v string) "+
			"with SHA-256, SHA-1 or SHA-512 and PKCS#1 v1.5 or PSS padding. It was most likely made with a different key. %s",
		keysTried, variants, strings.Join(hints, " ")))
	return out
}

// looksLikeCallback reports whether param carries an eventName, as callbacks do.
func looksLikeCallback(inp *input) bool {
	return inp.parsed != nil && inp.parsed.kind == 'o' &&
		(containsKey(inp.parsed, "eventName") || containsKey(inp.parsed, "event_name"))
}

func containsKey(v *jvalue, k string) bool {
	for _, key := range v.keys {
		if key == k {
			return true
		}
	}
	return false
}

// input is the body or the param and sign, decoded.
type input struct {
	param       []byte  // the param bytes: exact when paramString, else the object's bytes in the body
	paramString bool    // param was a JSON string (or given with -param/-param-file)
	parsed      *jvalue // param parsed as JSON, or nil
	sign        string
	appID       string
	body        []byte  // the raw body, or nil
	outer       *jvalue // the body parsed as JSON, or nil
}

// readInput decodes the body (or takes -param and -sign), with findings about its shape. It
// returns nil when there is nothing to check.
func readInput(in Inputs) (*input, []Finding) {
	inp := &input{appID: in.AppID}
	var out []Finding
	if in.Body == nil {
		inp.param, inp.paramString, inp.sign = in.Param, true, in.Sign
		inp.parsed, _ = parseOrdered(in.Param)
		return inp, nil
	}
	body := bytes.TrimPrefix(in.Body, []byte("\xef\xbb\xbf"))
	inp.body = body
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		q, err := url.ParseQuery(string(trimmed))
		if err == nil && q.Has("param") && q.Has("sign") {
			out = append(out, note(CauseBodyForm,
				"The body is form/query encoded (appId=…&param=…&sign=…), not JSON. That is the GET form; a POST sends the envelope as a JSON body. "+
					"In a query string the sign's '+' must be sent as %%2B, or the server decodes it as a space."))
			inp.param, inp.paramString, inp.sign = []byte(q.Get("param")), true, q.Get("sign")
			if inp.appID == "" {
				inp.appID = q.Get("appId")
			}
			inp.parsed, _ = parseOrdered(inp.param)
			return inp, out
		}
		return nil, append(out, problem(CauseBodyNotJSON, "The body is not a JSON object (it starts with %q): a PayCools body is {\"appId\":…,\"param\":\"<JSON string>\",\"sign\":\"<base64>\"}.", clip(string(trimmed), 20)))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &raw); err != nil {
		return nil, append(out, problem(CauseBodyNotJSON, "The body is not valid JSON: %v.", err))
	}
	inp.outer, _ = parseOrdered(trimmed)
	if a, ok := raw["appId"]; ok && inp.appID == "" {
		_ = json.Unmarshal(a, &inp.appID)
	}
	rawSign, ok := raw["sign"]
	if !ok || json.Unmarshal(rawSign, &inp.sign) != nil {
		return nil, append(out, problem(CauseBodyIncomplete, "The body has no \"sign\" string: there is no signature to check."))
	}
	rawParam, ok := raw["param"]
	if !ok {
		return nil, append(out, problem(CauseBodyIncomplete, "The body has no \"param\": the signature covers param, so there is nothing to check it over."))
	}
	rawParam = bytes.TrimSpace(rawParam)
	var s string
	switch {
	case json.Unmarshal(rawParam, &s) == nil:
		inp.param, inp.paramString = []byte(s), true
	case len(rawParam) > 0 && (rawParam[0] == '{' || rawParam[0] == '['):
		inp.param = rawParam
		out = append(out, problem(CauseParamObject,
			"\"param\" is a JSON object in the body, not a string. PayCools (and the SDK) want param as a JSON string holding the serialized object, "+
				"\"param\":\"{\\\"mchOrderId\\\":…}\", and verify the signature over exactly the bytes of that string; an object was re-serialized on the way, so its original bytes are lost and PayCools refuses it. "+
				"Serialize the fields once, sign those bytes, and send them as a string."))
	default:
		return nil, append(out, problem(CauseBodyIncomplete, "\"param\" is %s, neither a JSON string nor an object.", clip(string(rawParam), 20)))
	}
	inp.parsed, _ = parseOrdered(inp.param)
	return inp, out
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// decodeSignRepairing decodes the sign, repairing what transport and encoders do to it, with a
// finding per repair. ok is false when the sign cannot be decoded at all.
func decodeSignRepairing(sign string, keys []*keyReport) (sig []byte, fs []Finding, ok bool) {
	s := sign
	if strings.ContainsAny(s, "\r\n") {
		s = strings.NewReplacer("\r", "", "\n", "").Replace(s)
		fs = append(fs, note(CauseSignWrapped, "The sign is split over lines (CR/LF inside, as some Java encoders write it). The SDK strips them; send it on one line all the same."))
	}
	if strings.TrimSpace(s) == "" {
		return nil, append(fs, problem(CauseBodyIncomplete, "The sign is empty.")), false
	}

	// Hex: a signature of a known key size written as hex digits.
	if isHex(s) {
		for _, k := range keys {
			if len(s) == 2*k.Pub.Size() {
				b, _ := hex.DecodeString(s)
				return b, append(fs, problem(CauseSignHex,
					"The sign is hex (%d hex digits), not base64. PayCools wants the signature bytes in standard base64 with padding (base64.StdEncoding, Java Base64.getEncoder()).", len(s))), true
			}
		}
	}

	if trimmed := strings.Trim(s, " \t"); trimmed != s && !strings.Contains(trimmed, " ") {
		s = trimmed // whitespace around a copied value, not inside it
	}
	if n := strings.Count(s, " "); n > 0 {
		fs = append(fs, problem(CauseSignPlusAsSpace,
			"The sign has %d space(s), the first at position %d: a '+' of the base64 was turned into a space in transit "+
				"(the body or query was form-decoded, or the sign went into a URL unescaped). The SDK and PayCools refuse it. Doctor restored the '+'.",
			n, strings.Index(s, " ")))
		s = strings.ReplaceAll(s, " ", "+")
	}
	if strings.ContainsAny(s, "-_") {
		fs = append(fs, problem(CauseSignURLSafe,
			"The sign is URL-safe base64 ('-' and '_' instead of '+' and '/', first at position %d). PayCools wants the standard alphabet: "+
				"base64.StdEncoding, not URLEncoding (Java: Base64.getEncoder(), not getUrlEncoder()). Doctor translated it back.",
			strings.IndexAny(s, "-_")))
		s = strings.NewReplacer("-", "+", "_", "/").Replace(s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return nil, append(fs, problem(CauseSignNotBase64,
				"The sign is not base64: character %q at position %d. PayCools wants the signature bytes in standard base64 with padding.", c, i)), false
		}
	}
	if len(s)%4 != 0 && !strings.Contains(s, "=") {
		if len(s)%4 == 1 {
			return nil, append(fs, problem(CauseSignNotBase64,
				"The sign has %d characters, a length no base64 can have: it is truncated or has a character too many.", len(s))), false
		}
		fs = append(fs, problem(CauseSignUnpadded,
			"The sign has no '=' padding (%d characters). PayCools wants standard base64 with padding: base64.StdEncoding, not RawStdEncoding "+
				"(Java: Base64.getEncoder(), without withoutPadding()). Doctor added it.", len(s)))
		s += strings.Repeat("=", 4-len(s)%4)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, append(fs, problem(CauseSignNotBase64, "The sign is not valid padded base64 (%d characters): it is truncated or mangled.", len(s))), false
	}

	// Base64 of the base64 text.
	if inner := strings.TrimSpace(string(b)); len(inner) >= 172 && isBase64Text(inner) {
		if d, err := base64.StdEncoding.DecodeString(inner); err == nil {
			for _, k := range keys {
				if len(d) == k.Pub.Size() {
					return d, append(fs, problem(CauseSignDoubleBase64,
						"The sign is base64-encoded twice: it decodes to base64 text, which decodes to the %d-byte signature. Encode the signature bytes once.", len(d))), true
				}
			}
		}
	}
	return b, fs, true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return len(s)%2 == 0
}

func isBase64Text(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return len(s)%4 == 0
}

// candidates lists the byte strings a signer may have signed, the exact param first, without
// duplicates.
func candidates(inp *input) []candidate {
	var out []candidate
	seen := map[string]bool{}
	add := func(msg []byte, cause Cause, what string) {
		if seen[string(msg)] {
			return
		}
		seen[string(msg)] = true
		out = append(out, candidate{msg, cause, what})
	}

	base := inp.param
	if inp.paramString {
		add(base, "", "the exact param")
	} else {
		add(base, CauseParamObject, "The signature matches the object's bytes exactly as they appear in the body: send those bytes as a JSON string instead of an object.")
	}

	// Trailing newline, both ways.
	for _, nl := range []string{"\n", "\r\n"} {
		add(append(bytes.Clone(base), nl...), CauseTrailingNewline, fmt.Sprintf(
			"The signature covers param plus a trailing newline (%q) that is not in the param sent: the signer signed json.Encoder or echo output, or a file with a final newline. Sign exactly the bytes you send (trim the newline before signing, or use printf '%%s').", nl))
	}
	if t := bytes.TrimRight(base, " \t\r\n"); len(t) != len(base) {
		add(t, CauseTrailingNewline, fmt.Sprintf(
			"The param given ends with %q, which the signer did not sign: it was added after signing (an editor's final newline in the param file, echo, or whitespace pasted along). Send exactly the signed bytes.", base[len(t):]))
	}

	// Re-serializations of param.
	if inp.parsed != nil {
		for _, st := range jsonStyles() {
			msg := st.encode(inp.parsed)
			if inp.paramString {
				add(msg, CauseReserialized, fmt.Sprintf(
					"The signature covers a different serialization of param than the bytes sent: it matches param re-serialized %s. "+
						"The signer signed one serialization and the sender sent another (a map re-marshalled, or a different JSON encoder): serialize once, then sign and send those same bytes.", st.describe()))
			} else {
				add(msg, CauseReserialized, fmt.Sprintf(
					"The signature matches the param object serialized %s. Send exactly those bytes as the param string.", st.describe()))
			}
		}
	}

	// The outer body.
	if inp.body != nil {
		add(inp.body, CauseOuterBody, "The signature covers the whole body as received, not param. PayCools signs and verifies the bytes of param only (the inner JSON string).")
		add(bytes.TrimSpace(inp.body), CauseOuterBody, "The signature covers the whole body (trimmed), not param. PayCools signs and verifies the bytes of param only (the inner JSON string).")
	}
	for _, outer := range outerWithoutSign(inp) {
		for _, st := range []jsonStyle{{}, {sortKeys: true}, {escapeHTML: true}, {sortKeys: true, escapeHTML: true}, {spacing: "spaced"}, {spacing: "indent"}} {
			add(st.encode(outer), CauseOuterBody, fmt.Sprintf(
				"The signature covers the outer body without its sign (%s), serialized %s, not param. PayCools signs the bytes of param only: the inner JSON string, not the envelope around it.",
				clip(string(jsonStyle{}.encode(outer)), 60), st.describe()))
		}
	}

	// appId=…&param=….
	if inp.appID != "" {
		p := string(inp.param)
		for _, f := range []struct{ format, desc string }{
			{"appId=%[1]s&param=%[2]s", "appId=<appId>&param=<param>"},
			{"param=%[2]s&appId=%[1]s", "param=<param>&appId=<appId>"},
			{"appId=%[1]s&param=%[3]s", "appId=<appId>&param=<URL-encoded param>"},
		} {
			msg := fmt.Sprintf(f.format, inp.appID, p, url.QueryEscape(p))
			add([]byte(msg), CauseAppIDParam, fmt.Sprintf(
				"The signature covers the string %q (with appId %q), not param. One third-party integration signs that; PayCools signs the bytes of param alone.", f.desc, inp.appID))
		}
	}

	// The legacy Philippine k=v form.
	if inp.parsed != nil && inp.parsed.kind == 'o' {
		for _, extra := range []map[string]string{{"appId": inp.appID}, nil} {
			add([]byte(legacyKV(inp.parsed, extra)), CauseLegacyKV,
				"The signature covers the sorted \"k=v&k=v\" string of the older Philippine edition (fields sorted by name, empty values dropped), not param. The envelope form signs the bytes of param itself.")
		}
	}
	return out
}

// outerWithoutSign is the outer body with its sign removed, as a signer would have had it
// before adding the sign; or, without a body, {"appId","param"} built from the inputs.
func outerWithoutSign(inp *input) []*jvalue {
	if inp.outer != nil && inp.outer.kind == 'o' {
		v := &jvalue{kind: 'o'}
		for i, k := range inp.outer.keys {
			if k != "sign" {
				v.keys = append(v.keys, k)
				v.vals = append(v.vals, inp.outer.vals[i])
			}
		}
		return []*jvalue{v}
	}
	p := &jvalue{kind: 's', str: string(inp.param)}
	if inp.appID == "" {
		return []*jvalue{{kind: 'o', keys: []string{"param"}, vals: []*jvalue{p}}}
	}
	a := &jvalue{kind: 's', str: inp.appID}
	return []*jvalue{
		{kind: 'o', keys: []string{"appId", "param"}, vals: []*jvalue{a, p}},
		{kind: 'o', keys: []string{"param", "appId"}, vals: []*jvalue{p, a}},
	}
}
