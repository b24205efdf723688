package paycools

// A callback body taken apart by form and verified over its exact bytes, with every platform
// key and callback secret the client holds, against the client's appId.

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
)

// notificationError is a callback refused before the user's function ran, with the HTTP
// answer it deserves.
type notificationError struct {
	status int
	err    *SignatureError
}

func badBody(reason string) *notificationError {
	return &notificationError{http.StatusBadRequest, &SignatureError{Reason: "callback: " + reason}}
}

func badSign(reason string, err error) *notificationError {
	return &notificationError{http.StatusUnauthorized, &SignatureError{Reason: "callback: " + reason, Err: err}}
}

func (c *Client) parseNotification(ctx context.Context, body []byte) (*Notification, *notificationError) {
	p, nerr := splitCallback(body)
	if nerr != nil {
		return nil, nerr
	}
	return c.verifyCallback(ctx, &p)
}

// callbackParts is a callback body taken apart, before anything in it is verified.
type callbackParts struct {
	form NotificationForm
	// msg is what the signature covers: param's exact bytes (the only copy of param: it
	// serves the verification, the decoding and Notification.Param, and none of them writes
	// to it), or the canonical string of a flat body.
	msg  []byte
	sign string
	// appID is the appId the callback names, "" for none: the appId member of a flat body
	// (covered by the signature), or in the envelope form the appId member of param (covered)
	// when it has one, else the appId beside param (not covered: a routing hint only).
	appID       string
	appIDSigned bool
	// view is, for a flat body, its signed members as one JSON object (Notification.Param).
	view []byte
}

// splitCallback takes a callback body apart and finds its form (docs/dialects.md §10.1),
// without verifying anything. A body whose envelope appId contradicts its param's appId is
// refused.
func splitCallback(body []byte) (callbackParts, *notificationError) {
	if len(body) > maxNotificationBytes {
		return callbackParts{}, &notificationError{http.StatusRequestEntityTooLarge, &SignatureError{Reason: fmt.Sprintf("callback: body over %d bytes", maxNotificationBytes)}}
	}
	// The usual envelope body (three string members) is read by one hand-written pass;
	// anything else is read member by member, which also finds the form.
	paramBytes, sign, appID, ok := scanCallbackBody(body)
	if !ok {
		pairs, err := parseFlatObject(body)
		switch {
		case errors.Is(err, errDuplicateName):
			return callbackParts{}, badSign("the body repeats a top-level name (compared ignoring case): what is signed would be ambiguous", nil)
		case err != nil:
			return callbackParts{}, badBody("body is not a JSON object")
		}
		if _, hasParam := findPair(pairs, "param"); !hasParam {
			return splitFlatCallback(pairs)
		}
		var nerr *notificationError
		if paramBytes, sign, appID, nerr = decodeCallbackBody(body); nerr != nil {
			return callbackParts{}, nerr
		}
	}
	p := callbackParts{form: NotificationFormEnvelope, msg: paramBytes, sign: sign, appID: appID}
	if inner, ok := paramAppID(paramBytes); ok {
		if appID != "" && appID != inner {
			return callbackParts{}, badSign("the appId beside param is not the appId inside param (the one the signature covers)", nil)
		}
		p.appID, p.appIDSigned = inner, true
	}
	return p, nil
}

// paramAppID returns the appId member of an envelope's param, when param is a JSON object
// that has one as a string. It reads param before it is verified, to identify the merchant
// application only: verification decides.
func paramAppID(param []byte) (string, bool) {
	if !bytes.Contains(param, []byte(`"appId"`)) {
		return "", false
	}
	var head struct {
		AppID json.RawMessage `json:"appId"`
	}
	if json.Unmarshal(param, &head) != nil || head.AppID == nil {
		return "", false
	}
	id, err := decodeString(head.AppID)
	return id, err == nil && id != ""
}

// splitFlatCallback takes a flat callback body apart (forms F1 and F2 of docs/dialects.md
// §10.1): its canonical string of the exact received values, and its signed members.
func splitFlatCallback(pairs []flatPair) (callbackParts, *notificationError) {
	rawSign, ok := findPair(pairs, "sign")
	if !ok {
		return callbackParts{}, badBody("param or sign is missing")
	}
	sign, err := decodeString(rawSign)
	if err != nil || sign == "" {
		return callbackParts{}, badBody("sign is missing or not a string")
	}
	form := NotificationFormFlatRSA
	if isHexSHA1(sign) {
		form = NotificationFormFlatSHA1
	}
	msg, texts, err := canonicalFlatTexts(pairs)
	if err != nil {
		return callbackParts{}, badBody("a field cannot be read: " + err.Error())
	}
	// The decode reads only the signed members, and only a body whose signed string has one
	// reading is accepted (signedFlatView).
	view, err := signedFlatView(pairs, texts)
	if err != nil {
		return callbackParts{}, badSign("what is signed would be ambiguous: "+err.Error(), nil)
	}
	// An envelope's param is a JSON object, and its RSA signature covers it byte for byte: a
	// flat string that also reads as one could carry the signature of an envelope callback.
	if isJSONObject(msg) {
		return callbackParts{}, badSign("what is signed would be ambiguous: the signed string starts as a JSON object, as an envelope's param does", nil)
	}
	p := callbackParts{form: form, msg: msg, sign: sign, view: view}
	for i, pair := range pairs {
		if pair.name == "appId" {
			p.appID, p.appIDSigned = texts[i], true
		}
	}
	return p, nil
}

// formNotAccepted says that dialect d takes no callback of form f, and which dialects do.
func formNotAccepted(d Dialect, f NotificationForm) string {
	kind := "envelope"
	if f != NotificationFormEnvelope {
		kind = "flat"
	}
	msg := "the " + kind + " callback form is not accepted in the " + d.String() + " dialect"
	var takers []string
	for _, s := range dialects {
		if s.dialect != d && slices.Contains(s.callbackForms, f) {
			takers = append(takers, "WithDialect("+s.goName+")")
		}
	}
	if len(takers) > 0 {
		msg += " (set " + strings.Join(takers, " or ") + " if PayCools sends " + kind + " callbacks)"
	}
	return msg
}

// verifyCallback verifies a callback taken apart with the client's keys or secrets, refuses
// one that names another merchant application, and decodes it. The signature is checked over
// the exact received values before anything is decoded.
func (c *Client) verifyCallback(ctx context.Context, p *callbackParts) (*Notification, *notificationError) {
	if !c.accepts(p.form) {
		return nil, badSign(formNotAccepted(c.dialect, p.form), nil)
	}
	if nerr := c.checkSignature(ctx, p); nerr != nil {
		return nil, nerr
	}
	// Verified. A callback of another merchant application (PayCools' misdelivery, or an
	// event of one tenant replayed to another's URL) is not this client's event.
	if p.appID != "" && p.appID != c.appID {
		return nil, badSign(fmt.Sprintf("the callback names appId %q, not this client's %q: another merchant application's event is refused", clip(p.appID, 64), c.appID), nil)
	}
	if p.form != NotificationFormEnvelope {
		// Only now are the values read, and only the signed ones.
		return c.decodeNotification(ctx, &Notification{Param: json.RawMessage(p.view), AppID: c.appID, Form: p.form})
	}
	// Verified: only now is param read.
	if !isJSONObject(p.msg) {
		return nil, badBody("verified param is not a JSON object")
	}
	// The decode, NotificationKey and the replay window match param's names ignoring case:
	// a name given twice would be read one way by one and another way by the next.
	if repeatsName(p.msg) {
		return nil, badBody("verified param repeats a top-level name (compared ignoring case): its event would be ambiguous")
	}
	return c.decodeNotification(ctx, &Notification{Param: json.RawMessage(p.msg), AppID: c.appID, Form: NotificationFormEnvelope})
}

// clip cuts s to at most n bytes, for quoting a value that the sender chose.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// checkSignature verifies p's signature with the client's keys (envelope, flat RSA) or
// secrets (flat SHA-1), tried in order, and logs which one verified.
func (c *Client) checkSignature(ctx context.Context, p *callbackParts) *notificationError {
	if p.form == NotificationFormFlatSHA1 {
		if len(c.callbackSecret) == 0 {
			return badSign("no callback secret configured (WithCallbackSecret): cannot verify a flat SHA-1 callback", nil)
		}
		i := c.secretIndex(p.msg, p.sign)
		if i < 0 {
			return badSign("flat SHA-1 callback", ErrCallbackSecretMismatch)
		}
		c.logVerified(ctx, p.form, i)
		return nil
	}
	if len(c.platformKey) == 0 {
		what := "an envelope"
		if p.form == NotificationFormFlatRSA {
			what = "a flat RSA"
		}
		return badSign("no PayCools platform public key configured (WithPlatformPublicKey): cannot verify "+what+" callback", nil)
	}
	i, err := c.platformKeyIndex(p.msg, p.sign)
	if err != nil {
		var se *SignatureError
		if errors.As(err, &se) {
			return &notificationError{http.StatusUnauthorized, &SignatureError{Reason: "callback: " + se.Reason, Err: se.Err}}
		}
		return badSign("signature check failed", err)
	}
	c.logVerified(ctx, p.form, i)
	return nil
}

// verifyKey is one platform public key of WithPlatformPublicKey, with its KeyFingerprint and
// the whole SHA-256 of its DER form (which tells keys apart where 8 hex characters might not).
type verifyKey struct {
	pub         *rsa.PublicKey
	fingerprint string
	sum         [sha256.Size]byte
}

// newVerifyKey is pub with its fingerprints.
func newVerifyKey(pub *rsa.PublicKey) verifyKey {
	k := verifyKey{pub: pub, fingerprint: "invalid"}
	if der, err := x509.MarshalPKIXPublicKey(pub); err == nil {
		k.sum = sha256.Sum256(der)
		k.fingerprint = hex.EncodeToString(k.sum[:4])
	}
	return k
}

// KeyFingerprint names an RSA public key without showing it: the first 8 hex characters of the
// SHA-256 of its DER (PKIX) form. The callback log lines and `paycools doctor` name keys by it.
func KeyFingerprint(pub *rsa.PublicKey) string { return newVerifyKey(pub).fingerprint }

// platformKeyIndex verifies sign over msg with each platform key in turn and returns the index
// of the first that verifies. When none does, the error is a mismatch if the sign had the
// size of some key (so "wrong key" is not blamed on the size of another), else the first one.
func (c *Client) platformKeyIndex(msg []byte, sign string) (int, error) {
	if len(c.platformKey) == 0 {
		return -1, &SignatureError{Reason: "no PayCools platform public key configured (WithPlatformPublicKey)"}
	}
	var first, mismatch error
	for i, k := range c.platformKey {
		err := VerifyParam(k.pub, msg, sign)
		if err == nil {
			return i, nil
		}
		if first == nil {
			first = err
		}
		if mismatch == nil && errors.Is(err, ErrSignatureMismatch) {
			mismatch = err
		}
	}
	if mismatch != nil {
		return -1, mismatch
	}
	return -1, first
}

// secretIndex returns the index of the first callback secret whose SHA-1 signature of msg is
// sign (compared in constant time, ignoring case), or -1.
func (c *Client) secretIndex(msg []byte, sign string) int {
	got := []byte(strings.ToLower(sign))
	for i, s := range c.callbackSecret {
		h := sha1.New()
		h.Write(msg)
		h.Write([]byte("&secret="))
		h.Write([]byte(*s))
		var sum [sha1.Size]byte
		want := hex.AppendEncode(nil, h.Sum(sum[:0]))
		if subtle.ConstantTimeCompare(got, want) == 1 {
			return i
		}
	}
	return -1
}

// logVerified says which key or secret verified a callback: its position (1 for the first
// given) and, for a key, its KeyFingerprint; never the value. It logs at Debug for the first
// and at Info for another, the sign that PayCools switched to a newer key or secret (README,
// "Rotating keys").
func (c *Client) logVerified(ctx context.Context, f NotificationForm, i int) {
	level := slog.LevelDebug
	if i > 0 {
		level = slog.LevelInfo
	}
	if !c.logger.Enabled(ctx, level) {
		return
	}
	msg := "paycools: callback verified"
	if i > 0 {
		msg = "paycools: callback verified with a key or secret other than the first (rotating: make it the first once PayCools signs with it only)"
	}
	if f == NotificationFormFlatSHA1 {
		c.logger.LogAttrs(ctx, level, msg, slog.String("form", f.String()), slog.Int("secret", i+1), slog.Int("secrets", len(c.callbackSecret)))
		return
	}
	c.logger.LogAttrs(ctx, level, msg, slog.String("form", f.String()), slog.Int("key", i+1), slog.Int("keys", len(c.platformKey)),
		slog.String("key_fingerprint", c.platformKey[i].fingerprint))
}

// findPair returns the value of the top-level name.
func findPair(pairs []flatPair, name string) ([]byte, bool) {
	for _, p := range pairs {
		if p.name == name {
			return p.raw, true
		}
	}
	return nil, false
}

// isHexSHA1 reports whether s is 40 hex characters, the sign of a flat SHA-1 callback.
func isHexSHA1(s string) bool {
	if len(s) != 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// decodeCallbackBody reads a callback body with encoding/json: the path for bodies that
// scanCallbackBody leaves alone, and the one that says what is wrong with a bad body. It
// decodes only the three names, param and sign as *string, so that a JSON string arrives as a
// Go string without a second scan and anything else (an object in place of param) is told
// apart.
func decodeCallbackBody(body []byte) (param []byte, sign, appID string, nerr *notificationError) {
	var outer struct {
		Param *string         `json:"param"`
		Sign  *string         `json:"sign"`
		AppID json.RawMessage `json:"appId"`
	}
	if !isJSONObject(body) {
		return nil, "", "", badBody("body is not a JSON object")
	}
	if err := json.Unmarshal(body, &outer); err != nil {
		// A wrong type is reported after the whole body was read; anything else is not JSON.
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te) && te.Field == "param":
			return nil, "", "", badSign("param is not a JSON string (a re-serialized object cannot be verified)", nil)
		case errors.As(err, &te) && te.Field == "sign":
			return nil, "", "", badSign("sign is not a JSON string", nil)
		case errors.As(err, &te):
			// another name of the wrong type (appId is raw): ignore it
		default:
			return nil, "", "", badBody("body is not a JSON object")
		}
	}
	if outer.Param == nil || outer.Sign == nil { // absent or null
		return nil, "", "", badBody("param or sign is missing")
	}
	if outer.AppID != nil {
		appID, _ = decodeString(outer.AppID)
	}
	return []byte(*outer.Param), *outer.Sign, appID, nil
}
