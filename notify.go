package paycools

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
)

// Notification is one verified callback from PayCools.
type Notification struct {
	// EventName is the event, e.g. "disbursement.success" (from eventName, or event_name).
	EventName string
	// Param is what the signature covers, and all that Event, NotificationKey and the replay
	// window read. In the envelope form it is the exact param bytes. In the flat forms it is a
	// JSON object of the signed members only, rebuilt from the signed string: see
	// NotificationFormFlatSHA1.
	Param json.RawMessage
	// Event is a pointer to the typed event struct registered for EventName, or nil for an
	// event name the SDK does not know. Use a type switch. Every event type, with its event
	// names:
	//
	//   - *PayoutNotification: EventDisbursementSuccess, EventDisbursementFailed
	//   - *VirtualAccountPaymentNotification: EventPaymentSuccess, EventPaymentFailed
	//   - *RepaymentVerification: EventPaymentVerification (a question, answered by
	//     RepaymentVerificationHandler; NotificationHandler refuses it and never calls you)
	//   - *QRCodePaymentNotification: EventQRCodePaymentSuccess, EventQRCodePaymentFailed
	//   - *BankTransferPaymentNotification: EventTransferPaymentSuccess
	//   - *WebPaymentNotification: EventH5PaymentSuccess, EventH5PaymentFailed
	//   - *RefundNotification: EventRefundSuccess, EventRefundFailed, EventRefundCancel
	//   - *CheckoutNotification: EventCheckoutPaymentSuccess, EventCheckoutPaymentFailed
	//   - *DirectDebitAuthorizationNotification: EventTokenCreateSuccess,
	//     EventTokenCreateFailed, EventTokenCancelSuccess
	//   - *DirectDebitPaymentNotification: EventDirectDebitSuccess, EventDirectDebitFailed,
	//     EventDirectDebitPaymentSuccess, EventDirectDebitPaymentFailed
	//   - *EKYCNotification: EventEKYCSuccess, EventEKYCFailed, and any other name starting
	//     with "ekyc."
	//
	// Event types are named <Resource>Notification, or <Resource>PaymentNotification for a
	// payment into a resource (a VA, a QR code, a bank-transfer account).
	Event any
	// AppID is the appId sent beside param, when present. In the envelope form the signature
	// does not cover it: never trust it.
	AppID string
	// Form is the callback form the body came in, which decides the reply.
	Form NotificationForm
	// Unreadable lists the fields of the event that could not be decoded and were left zero
	// (JSON paths, e.g. "remark"); Param keeps their text. NotificationHandler and
	// RepaymentVerificationHandler answer 500 without calling the function when one of them is
	// a money field (an Amount) or a status, so that a verified event is never handled with a
	// zero amount or an unknown state.
	Unreadable []string
	// Synced is true for a notification that Client.Sync built from PayCools' answer to a
	// query, because the order is final and its callback had not been handled: Param is the
	// query's answer with the event name, not a signed callback, and Form is 0.
	Synced bool
}

// NotificationForm is one of the three callback forms PayCools sends (docs/dialects.md §10.1).
type NotificationForm int

const (
	// NotificationFormEnvelope is {"param":"<JSON string>","sign":"<base64>"}, RSA-SHA256 over
	// the exact param bytes, verified with the platform public key. Param is that param.
	NotificationFormEnvelope NotificationForm = iota + 1
	// NotificationFormFlatSHA1 is a flat JSON object whose sign is 40 hex characters: the
	// lowercase hex SHA-1 of the sorted k=v string of every other field + "&secret=" + the
	// merchant's callback secret (WithCallbackSecret).
	//
	// Param is not the body but the members the signature covers: every member except sign
	// and those whose value is null or "", sorted by name, each value rebuilt from its signed
	// text (a text that is a JSON number, or a compact JSON object or array, is that value;
	// any other text is a JSON string, so "503700" and 503700 give the same Param). A body
	// that repeats a name ignoring case ("amount" and "Amount"), or whose signed string could
	// be read as other members (a name holding & or =, a value holding "&name=" with a name
	// sorting after its own, a string that starts as a JSON object as an envelope's param
	// does), is refused with 401: two bodies never verify with one signature and decode
	// differently.
	NotificationFormFlatSHA1
	// NotificationFormFlatRSA is a flat JSON object whose sign is base64 RSA-SHA256 over the
	// sorted k=v string of every other field, verified with the platform public key. Param and
	// the refusals are those of NotificationFormFlatSHA1.
	NotificationFormFlatRSA
)

// String names the form: "envelope", "flat-sha1" or "flat-rsa".
func (f NotificationForm) String() string {
	switch f {
	case NotificationFormEnvelope:
		return "envelope"
	case NotificationFormFlatSHA1:
		return "flat-sha1"
	case NotificationFormFlatRSA:
		return "flat-rsa"
	}
	return fmt.Sprintf("NotificationForm(%d)", int(f))
}

// accepts reports whether the client's dialect takes callbacks in form f.
func (c *Client) accepts(f NotificationForm) bool {
	for _, a := range callbackForms[c.dialect] {
		if a == f {
			return true
		}
	}
	return false
}

// eventRegistry maps an event name to a constructor of its typed event struct. Family files
// fill it from init through registerEvent; it is never written after package initialisation.
var eventRegistry = map[string]func() any{}

// eventPrefixes maps an event-name prefix (lower case, e.g. "ekyc.") to the constructor of the
// event struct for every event name starting with it that has no exact registration. Filled
// from init through registerEventPrefix only.
var eventPrefixes = map[string]func() any{}

// registerEventPrefix declares that every event whose name starts with prefix (compared
// ignoring case) carries a T, unless the exact name is registered. Called only from init.
func registerEventPrefix[T any](prefix string) {
	p := strings.ToLower(prefix)
	if _, dup := eventPrefixes[p]; dup {
		panic("paycools: event prefix registered twice: " + prefix)
	}
	eventPrefixes[p] = func() any { return new(T) }
}

// newEvent returns a new event struct for an event name, or nil for an unknown name.
func newEvent(name string) any {
	if mk, ok := eventRegistry[name]; ok {
		return mk()
	}
	lower := strings.ToLower(name)
	for p, mk := range eventPrefixes {
		if strings.HasPrefix(lower, p) {
			return mk()
		}
	}
	return nil
}

// registerEvent declares that the events named carry a T in their param. It is called only
// from init functions.
func registerEvent[T any](names ...string) {
	for _, n := range names {
		if _, dup := eventRegistry[n]; dup {
			panic("paycools: event registered twice: " + n)
		}
		eventRegistry[n] = func() any { return new(T) }
	}
}

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

// ParseNotification verifies one callback body and decodes it, in every form the client's
// dialect accepts (docs/dialects.md §10): the envelope (RSA over the exact param bytes, with
// the platform public key of WithPlatformPublicKey) in both dialects; in the PH dialect also
// the flat forms (SHA-1 with WithCallbackSecret, or RSA over the sorted k=v string). The
// signature is checked over the exact received values before anything is decoded; any problem
// is a *SignatureError and nothing is decoded. A form whose key or secret is not configured
// always fails: verification is never skipped.
func (c *Client) ParseNotification(body []byte) (*Notification, error) {
	n, nerr := c.parseNotification(context.Background(), body)
	if nerr != nil {
		return nil, nerr.err
	}
	return n, nil
}

func (c *Client) parseNotification(ctx context.Context, body []byte) (*Notification, *notificationError) {
	if len(body) > maxNotificationBytes {
		return nil, &notificationError{http.StatusRequestEntityTooLarge, &SignatureError{Reason: fmt.Sprintf("callback: body over %d bytes", maxNotificationBytes)}}
	}
	// The usual envelope body (three string members) is read by one hand-written pass;
	// anything else is read member by member, which also finds the form.
	paramBytes, sign, appID, ok := scanCallbackBody(body)
	if !ok {
		pairs, err := parseFlatObject(body)
		switch {
		case errors.Is(err, errDuplicateName):
			return nil, badSign("the body repeats a top-level name (compared ignoring case): what is signed would be ambiguous", nil)
		case err != nil:
			return nil, badBody("body is not a JSON object")
		}
		if _, hasParam := findPair(pairs, "param"); !hasParam {
			return c.parseFlatNotification(ctx, body, pairs)
		}
		var nerr *notificationError
		if paramBytes, sign, appID, nerr = decodeCallbackBody(body); nerr != nil {
			return nil, nerr
		}
	}
	if !c.accepts(NotificationFormEnvelope) {
		return nil, badSign("the envelope callback form is not accepted in the "+c.dialect.String()+" dialect", nil)
	}
	if c.platformKey == nil {
		return nil, badSign("no PayCools platform public key configured (WithPlatformPublicKey): cannot verify an envelope callback", nil)
	}
	// paramBytes is the only copy of param: it serves the verification, the decoding and
	// Notification.Param, and none of them writes to it.
	if err := VerifyParam(c.platformKey, paramBytes, sign); err != nil {
		var se *SignatureError
		if errors.As(err, &se) {
			return nil, &notificationError{http.StatusUnauthorized, &SignatureError{Reason: "callback: " + se.Reason, Err: se.Err}}
		}
		return nil, badSign("signature check failed", err)
	}
	// Verified: only now is param read.
	if !isJSONObject(paramBytes) {
		return nil, badBody("verified param is not a JSON object")
	}
	// The decode, NotificationKey and the replay window match param's names ignoring case:
	// a name given twice would be read one way by one and another way by the next.
	if repeatsName(paramBytes) {
		return nil, badBody("verified param repeats a top-level name (compared ignoring case): its event would be ambiguous")
	}
	n := &Notification{Param: json.RawMessage(paramBytes), AppID: appID, Form: NotificationFormEnvelope}
	return c.decodeNotification(ctx, n)
}

// parseFlatNotification verifies a flat callback body (forms F1 and F2 of docs/dialects.md
// §10.1) over the canonical string of the exact received values, then decodes it.
func (c *Client) parseFlatNotification(ctx context.Context, body []byte, pairs []flatPair) (*Notification, *notificationError) {
	rawSign, ok := findPair(pairs, "sign")
	if !ok {
		return nil, badBody("param or sign is missing")
	}
	sign, err := decodeString(rawSign)
	if err != nil || sign == "" {
		return nil, badBody("sign is missing or not a string")
	}
	form := NotificationFormFlatRSA
	if isHexSHA1(sign) {
		form = NotificationFormFlatSHA1
	}
	if !c.accepts(form) {
		return nil, badSign("the flat callback form is not accepted in the "+c.dialect.String()+" dialect (set WithDialect(DialectPH) if PayCools sends flat callbacks)", nil)
	}
	msg, texts, err := canonicalFlatTexts(pairs)
	if err != nil {
		return nil, badBody("a field cannot be read: " + err.Error())
	}
	// The decode reads only the signed members, and only a body whose signed string has one
	// reading is accepted (signedFlatView).
	view, err := signedFlatView(pairs, texts)
	if err != nil {
		return nil, badSign("what is signed would be ambiguous: "+err.Error(), nil)
	}
	// An envelope's param is a JSON object, and its RSA signature covers it byte for byte: a
	// flat string that also reads as one could carry the signature of an envelope callback.
	if isJSONObject(msg) {
		return nil, badSign("what is signed would be ambiguous: the signed string starts as a JSON object, as an envelope's param does", nil)
	}
	switch form {
	case NotificationFormFlatSHA1:
		if c.callbackSecret == nil {
			return nil, badSign("no callback secret configured (WithCallbackSecret): cannot verify a flat SHA-1 callback", nil)
		}
		h := sha1.New()
		h.Write(msg)
		h.Write([]byte("&secret="))
		h.Write([]byte(*c.callbackSecret))
		want := hex.EncodeToString(h.Sum(nil))
		if subtle.ConstantTimeCompare([]byte(strings.ToLower(sign)), []byte(want)) != 1 {
			return nil, badSign("flat SHA-1 callback", ErrCallbackSecretMismatch)
		}
	default:
		if c.platformKey == nil {
			return nil, badSign("no PayCools platform public key configured (WithPlatformPublicKey): cannot verify a flat RSA callback", nil)
		}
		if err := VerifyParam(c.platformKey, msg, sign); err != nil {
			var se *SignatureError
			if errors.As(err, &se) {
				return nil, &notificationError{http.StatusUnauthorized, &SignatureError{Reason: "callback: " + se.Reason, Err: se.Err}}
			}
			return nil, badSign("signature check failed", err)
		}
	}
	// Verified: only now are the values read, and only the signed ones.
	n := &Notification{Param: json.RawMessage(view), Form: form}
	for i, p := range pairs {
		if p.name == "appId" {
			n.AppID = texts[i]
		}
	}
	return c.decodeNotification(ctx, n)
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

// decodeNotification decodes the verified n.Param into its typed event.
func (c *Client) decodeNotification(ctx context.Context, n *Notification) (*Notification, *notificationError) {
	paramBytes := []byte(n.Param)
	warn := func(path string, err error) {
		n.Unreadable = append(n.Unreadable, path)
		c.logger.LogAttrs(ctx, slog.LevelWarn, "paycools: callback field not decoded, left zero (Param keeps it)",
			slog.String("event", n.EventName), slog.String("field", path), slog.String("error", redactText(err.Error(), 120)))
	}
	// Fast path: the event name found by a byte search picks the event type, and the typed
	// decode confirms it (the struct's top-level eventName must equal it). This saves a full
	// scan of param; anything unusual falls back to reading the name properly.
	if name, ok := quickEventName(paramBytes); ok {
		if ev := newEvent(name); ev != nil {
			n.EventName = name
			if decodeEvent(paramBytes, ev, warn) == name {
				n.Event = ev
				return n, nil
			}
		}
	}
	var head struct {
		EventName      json.RawMessage `json:"eventName"`
		EventNameSnake json.RawMessage `json:"event_name"`
	}
	if json.Unmarshal(paramBytes, &head) != nil {
		return nil, badBody("verified param is not a JSON object")
	}
	name, _ := decodeString(head.EventName)
	if name == "" {
		name, _ = decodeString(head.EventNameSnake)
	}
	n.EventName = name
	n.Unreadable = nil // the fast path may have tried once
	if ev := newEvent(name); ev != nil {
		decodeEvent(paramBytes, ev, warn)
		n.Event = ev
	}
	return n, nil
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

// decodeEvent decodes a verified param into the event struct ev (a pointer) and returns the
// decoded top-level eventName.
func decodeEvent(param []byte, ev any, warn func(string, error)) string {
	rv := reflect.ValueOf(ev).Elem()
	rv.Set(reflect.Zero(rv.Type()))
	decodeTolerant(param, rv, warn)
	finishDecode(param, rv, warn)
	storeRaw(rv, json.RawMessage(param)) // shared with Notification.Param: neither is written to
	if i := shapeOf(rv.Type()).eventName; i >= 0 {
		return rv.Field(i).String()
	}
	return ""
}

// quickEventName finds `"eventName":"<plain ASCII>"` in param by a byte search, when the key
// occurs exactly once. The caller confirms it against a real decode.
func quickEventName(param []byte) (string, bool) {
	key := []byte(`"eventName":"`)
	i := bytes.Index(param, key)
	if i < 0 || bytes.Contains(param[i+len(key):], []byte(`"eventName"`)) {
		return "", false
	}
	rest := param[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j <= 0 {
		return "", false
	}
	name := rest[:j]
	for _, c := range name {
		if c < 0x20 || c >= 0x80 || c == '\\' {
			return "", false
		}
	}
	return string(name), true
}

func isJSONNull(b json.RawMessage) bool { return string(bytes.TrimSpace(b)) == "null" }

// isJSONObject reports whether b, after leading white space, starts a JSON object (as a map
// decode required: a struct decode also accepts null).
func isJSONObject(b []byte) bool {
	i := skipJSONSpace(b, 0)
	return i < len(b) && b[i] == '{'
}

// Replies of the callback handlers (docs/envelope.md §9, §10).
var (
	replySuccess     = []byte(`{"code":10000,"message":"Success"}`)
	replyParamError  = []byte(`{"code":21002,"message":"Request param error"}`)
	replySignError   = []byte(`{"code":21001,"message":"Request sign error"}`)
	replyServerError = []byte(`{"code":21000,"message":"Server error, Please try again later."}`)
)

func writeReply(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (nerr *notificationError) reply(w http.ResponseWriter) {
	switch nerr.status {
	case http.StatusUnauthorized:
		writeReply(w, nerr.status, replySignError)
	default:
		writeReply(w, nerr.status, replyParamError)
	}
}

// readCallback enforces POST and the 1 MiB cap, and verifies the body.
func (c *Client) readCallback(w http.ResponseWriter, r *http.Request) (*Notification, []byte, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeReply(w, http.StatusMethodNotAllowed, replyParamError)
		return nil, nil, false
	}
	body, err := readCapped(r.Body, maxNotificationBytes)
	if errors.Is(err, errBodyTooLarge) {
		writeReply(w, http.StatusRequestEntityTooLarge, replyParamError)
		return nil, nil, false
	}
	if err != nil {
		writeReply(w, http.StatusBadRequest, replyParamError)
		return nil, nil, false
	}
	n, nerr := c.parseNotification(r.Context(), body)
	if nerr != nil {
		c.logger.LogAttrs(r.Context(), slog.LevelWarn, "paycools callback refused",
			slog.Int("http_status", nerr.status), slog.String("error", nerr.err.Error()))
		nerr.reply(w)
		return nil, nil, false
	}
	return n, body, true
}

// NotificationHandler returns the http.Handler for a PayCools notifyUrl. For each POST it
// verifies the signature over the exact param bytes with the platform public key (401 and fn
// not called when it fails), decodes the event, calls fn, and answers 200
// {"code":10000,"message":"Success"} when fn returns nil, or 500 when fn returns an error, so
// that PayCools delivers the event again. Bodies over 1 MiB get 413.
//
// PayCools delivers at least once. The client's NotificationStore (default: in memory, 24h,
// claims of DefaultNotificationLease) runs fn once per event, keyed by NotificationKey: a
// redelivery of an event fn already handled is acknowledged without calling fn, a delivery
// arriving while the same event is claimed gets 500 (so it comes back if the first fails), a
// claim whose process died is taken over once its lease ends, and a store error before fn
// runs gets 500. While fn runs its claim is renewed every third of the lease; when the claim
// is lost, fn's context is cancelled with cause ErrClaimLost. When fn fails, the claim is
// released so that the next delivery runs fn again. Once fn succeeded the event is handled
// and acknowledged, even when the store fails to record it: the record is retried with
// backoff (keeping the claim, so a redelivery meanwhile gets 500 and never runs fn) and each
// failure is logged. With several processes, use a shared store
// (paycoolssql.NewNotificationStore) or keep fn idempotent.
// Events outside the replay window (24 h by default, WithNotificationMaxAge) get 401; an event
// whose money or status field cannot be read gets 500 without calling fn; a panic in fn
// releases the claim and gets 500.
// A repayment-verification question that reaches this handler is answered with a
// refusal, never accepted; serve those with RepaymentVerificationHandler.
//
// When the store keeps an event inbox (it implements EventRecorder: paycoolssql with
// WithInbox), each delivery that runs fn is recorded with its exact body, and fn's outcome
// after it. A handled event runs fn again only for a delivery carrying the one-time token of
// ReplayHeader that the store gave for it (ReplayClaimer, `paycools events replay`).
//
// With a ledger (WithLedger), a verified payout, web payment, direct-debit or refund event first
// settles the intent of its order (see the README, "Callbacks settle the ledger"); when the
// ledger fails, it answers 500 without calling fn, so that PayCools delivers again. Once fn
// has succeeded for a final payout, web payment, checkout, direct-debit or refund event (or
// the store says it did before), the ledger records the order's final status and amount, so
// that Client.Sync no longer asks about it.
//
// In the PH dialect it also takes the flat callback forms, and answers a handled flat callback
// {"code":1,"msg":"success","data":{}} (the reply follows the form of the request).
//
// NotificationHandler panics if fn is nil or the client cannot verify any callback: in the
// open-api dialect it needs the platform public key, in the PH dialect the key or the callback
// secret (WithCallbackSecret). A callback endpoint that cannot verify must not be served.
func (c *Client) NotificationHandler(fn func(context.Context, *Notification) error) http.Handler {
	if !c.canVerifyCallbacks() {
		panic("paycools: NotificationHandler: " + c.missingVerifier() + "; callbacks cannot be verified")
	}
	if fn == nil {
		panic("paycools: NotificationHandler: nil function")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, body, ok := c.readCallback(w, r)
		if !ok {
			return
		}
		if n.EventName == EventPaymentVerification {
			c.logger.LogAttrs(r.Context(), slog.LevelWarn, "paycools: repayment verification reached NotificationHandler; refused (serve it with RepaymentVerificationHandler)")
			writeReply(w, http.StatusOK, repaymentReply(n.Form, repaymentRefuseCode, "Failed"))
			return
		}
		if !c.fresh(r, n) {
			writeReply(w, http.StatusUnauthorized, replySignError)
			return
		}
		if c.refuseUnreadable(w, r, n) {
			return
		}
		if !c.settleLedgerOrReply(w, r, n) {
			return
		}
		ctx, claim := r.Context(), (*heldClaim)(nil)
		if c.notifyStore != nil {
			var ok bool
			key, replayToken := NotificationKey(n), r.Header.Get(ReplayHeader)
			handledBefore := func(string) []byte {
				c.finalizeLedger(r.Context(), n) // fn ran for this event before (a delivery or Sync)
				return successReply(n.Form)
			}
			if claim, ok = c.claimOrReply(w, r, key, n.EventName, replayToken, 0, handledBefore); !ok {
				return
			}
			ctx = claim.ctx
			c.recordEvent(r, n.EventName, func(ctx context.Context, rec EventRecorder) error {
				return rec.Received(ctx, ReceivedEvent{AppID: c.appID, Key: key, EventName: n.EventName, Form: n.Form, Body: body,
					ReceivedAt: c.clock(), Replay: replayToken != ""})
			})
		}
		p, err := runGuarded(func() error { return fn(ctx, n) })
		if claim != nil {
			c.recordOutcome(r, claim, p, err)
		}
		if p != nil {
			// The claim is released at once, so that the next delivery runs fn again.
			if claim != nil {
				claim.release(r.Context())
			}
			c.logPanic(r, "paycools callback handler panicked; answered 500, PayCools will deliver again", n.EventName, p)
			writeReply(w, http.StatusInternalServerError, replyServerError)
			return
		}
		if err != nil {
			if claim != nil {
				claim.release(r.Context())
			}
			c.logger.LogAttrs(r.Context(), slog.LevelError, "paycools callback handler failed; PayCools will deliver again",
				slog.String("event", n.EventName), slog.String("error", redactText(err.Error(), 300)))
			writeReply(w, http.StatusInternalServerError, replyServerError)
			return
		}
		// fn succeeded: the event is handled, and acknowledged even if the store fails to
		// record it (finish retries and logs); answering 500 would have it run again.
		if claim != nil {
			claim.finish(r.Context(), "")
		}
		c.finalizeLedger(r.Context(), n)
		writeReply(w, http.StatusOK, successReply(n.Form))
	})
}

// successReply is the acknowledgement of a handled callback in its form (docs/dialects.md
// §10.2).
func successReply(f NotificationForm) []byte {
	if f == NotificationFormEnvelope {
		return replySuccess
	}
	return flatCallbackReply
}

// canVerifyCallbacks reports whether some callback form of the client's dialect can be
// verified with what is configured.
func (c *Client) canVerifyCallbacks() bool {
	for _, f := range callbackForms[c.dialect] {
		if f == NotificationFormFlatSHA1 && c.callbackSecret != nil || f != NotificationFormFlatSHA1 && c.platformKey != nil {
			return true
		}
	}
	return false
}

// missingVerifier names what a client that cannot verify callbacks lacks.
func (c *Client) missingVerifier() string {
	if c.accepts(NotificationFormFlatSHA1) {
		return "neither a PayCools platform public key (WithPlatformPublicKey) nor a callback secret (WithCallbackSecret) is configured"
	}
	return "no PayCools platform public key configured (WithPlatformPublicKey)"
}

// RepaymentVerificationHandler returns the http.Handler that answers PayCools' repayment
// verification question (doc 4.6): may this payment into a static virtual account be
// collected? fn decides:
//
//   - (true, nil): accept, HTTP 200 {"code":2000,"message":"Success","data":{}};
//   - (false, nil): refuse, HTTP 200 {"code":1000,"message":"Failed","data":{}};
//   - an error that is (or wraps) a *RepaymentRefusal: refuse with its code (1000, 1001 or
//     1002; another code is sent as 1000) and message, whatever accept says;
//   - any other error: HTTP 500 (the error text is logged, never sent).
//
// A body that does not verify gets 401 and fn is not called; a verified event other than
// payment.verification gets 400, so nothing is ever accepted by default.
//
// With the client's NotificationStore, each question is decided once: it is identified by
// what its signature covers (param's exact bytes; for a flat question the canonical signed
// string, so other white space or member order is the same question), and the decision
// (accept, or the refusal's code and message) is stored with it. Asked again, it gets the same
// answer without calling fn; asked while it is being decided, it waits up to 3 seconds for
// the decision, then gets 500. An error that is no refusal, or a panic, stores nothing, and
// the question is decided afresh when asked again.
//
// A flat question (PH dialect) gets the flat replies: {"code":2000,"msg":"Success"},
// {"code":1000,"msg":"Failed"}.
// It panics if fn is nil or the client cannot verify any question (as NotificationHandler).
func (c *Client) RepaymentVerificationHandler(fn func(context.Context, *RepaymentVerification) (accept bool, err error)) http.Handler {
	if !c.canVerifyCallbacks() {
		panic("paycools: RepaymentVerificationHandler: " + c.missingVerifier() + "; questions cannot be verified")
	}
	if fn == nil {
		panic("paycools: RepaymentVerificationHandler: nil function")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _, ok := c.readCallback(w, r)
		if !ok {
			return
		}
		q, isQ := n.Event.(*RepaymentVerification)
		if n.EventName != EventPaymentVerification || !isQ {
			c.logger.LogAttrs(r.Context(), slog.LevelWarn, "paycools: RepaymentVerificationHandler got another event; refused",
				slog.String("event", n.EventName))
			writeReply(w, http.StatusBadRequest, replyParamError)
			return
		}
		if !c.fresh(r, n) {
			writeReply(w, http.StatusUnauthorized, replySignError)
			return
		}
		if c.refuseUnreadable(w, r, n) {
			return
		}
		// A question is decided once: asked again (PayCools repeating a question whose answer
		// it lost, or a replay), it gets the stored decision, never a second run of fn. The
		// key is the question's verified content (repaymentKey): two payments into one account
		// are two questions.
		ctx, claim := r.Context(), (*heldClaim)(nil)
		if c.notifyStore != nil {
			var ok bool
			if claim, ok = c.claimOrReply(w, r, repaymentKey(n), n.EventName, "", finishWait, func(result string) []byte {
				code, msg, ok := parseRepaymentDecision(result)
				if !ok { // finished without a decision (by an earlier version): refuse
					c.logger.LogAttrs(r.Context(), slog.LevelWarn, "paycools: repayment verification asked again, with no stored decision; refused")
				} else {
					c.logger.LogAttrs(r.Context(), slog.LevelInfo, "paycools: repayment verification asked again; answered with the stored decision",
						slog.Int("code", code))
				}
				return repaymentReply(n.Form, code, msg)
			}); !ok {
				return
			}
			ctx = claim.ctx
		}
		var accept bool
		p, err := runGuarded(func() error {
			var ferr error
			accept, ferr = fn(ctx, q)
			return ferr
		})
		code, msg, decided := repaymentDecision(accept, err)
		if p != nil || !decided {
			if claim != nil {
				claim.release(r.Context()) // 500: the question may come again
			}
			if p != nil {
				c.logPanic(r, "paycools repayment verification panicked; answered 500", n.EventName, p)
			} else {
				c.logger.LogAttrs(r.Context(), slog.LevelError, "paycools repayment verification failed; answered 500",
					slog.String("error", redactText(err.Error(), 300)))
			}
			writeReply(w, http.StatusInternalServerError, replyServerError)
			return
		}
		if claim != nil {
			claim.finish(r.Context(), formatRepaymentDecision(code, msg))
		}
		writeReply(w, http.StatusOK, repaymentReply(n.Form, code, msg))
	})
}

// repaymentDecision turns fn's answer into the reply's code and message; decided is false for
// an error that is no refusal (answered 500, not stored).
func repaymentDecision(accept bool, err error) (code int, msg string, decided bool) {
	var refusal *RepaymentRefusal
	switch {
	case errors.As(err, &refusal) && refusal == nil: // a typed-nil *RepaymentRefusal: refuse
		return repaymentRefuseCode, "Failed", true
	case errors.As(err, &refusal):
		code = refusal.Code
		if code != VerificationRefused && code != VerificationRefusedInvalidParam && code != VerificationRefusedAmountLimit {
			code = repaymentRefuseCode
		}
		msg = refusal.Message
		if msg == "" {
			msg = "Failed"
		}
		return code, msg, true
	case err != nil:
		return 0, "", false
	case accept:
		return repaymentAcceptCode, "Success", true
	}
	return repaymentRefuseCode, "Failed", true
}

// repaymentKey is the store key of a repayment verification question: the hash of what its
// signature covers, so that a question repeated with other white space or member order is
// the same question. The envelope's signature covers param's exact bytes; a flat question's
// covers the canonical sorted k=v string (CanonicalFlatString).
func repaymentKey(n *Notification) string {
	if n.Form == NotificationFormFlatSHA1 || n.Form == NotificationFormFlatRSA {
		if canon, err := CanonicalFlatString(n.Param); err == nil {
			sum := sha256.Sum256([]byte(canon))
			return EventPaymentVerification + ":flat-sha256=" + hex.EncodeToString(sum[:])
		}
	}
	sum := sha256.Sum256(n.Param)
	return EventPaymentVerification + ":sha256=" + hex.EncodeToString(sum[:])
}

// formatRepaymentDecision is the result stored for a decided question: "code:message".
func formatRepaymentDecision(code int, msg string) string {
	return strconv.Itoa(code) + ":" + msg
}

// parseRepaymentDecision reads a stored decision; a missing or unreadable one is a refusal
// (1000, "Failed") with ok false.
func parseRepaymentDecision(result string) (code int, msg string, ok bool) {
	c, m, found := strings.Cut(result, ":")
	code, err := strconv.Atoi(c)
	if !found || err != nil {
		return repaymentRefuseCode, "Failed", false
	}
	return code, m, true
}

// repaymentReply is the answer to a repayment verification question in its form
// (docs/dialects.md §11): the envelope form carries message and data, the flat form msg.
func repaymentReply(f NotificationForm, code int, message string) []byte {
	msg, _ := marshalCompact(message)
	if f == NotificationFormFlatSHA1 || f == NotificationFormFlatRSA {
		return []byte(fmt.Sprintf(`{"code":%d,"msg":%s}`, code, msg))
	}
	return []byte(fmt.Sprintf(`{"code":%d,"message":%s,"data":{}}`, code, msg))
}

// callbackPanic is a panic of the merchant's callback function, caught.
type callbackPanic struct {
	value any
	stack []byte
}

// runGuarded calls f and catches a panic, so that the callback handlers can release the
// event's claim and answer 500 instead of leaving PayCools without an answer and the event
// claimed until its lease ends.
func runGuarded(f func() error) (p *callbackPanic, err error) {
	defer func() {
		if v := recover(); v != nil {
			p = &callbackPanic{value: v, stack: debug.Stack()}
		}
	}()
	return nil, f()
}

// logPanic logs a caught panic with its stack (redacted, as the merchant's data may be in the
// panic value). http.ErrAbortHandler is re-raised after the answer, as net/http expects.
func (c *Client) logPanic(r *http.Request, msg, event string, p *callbackPanic) {
	if p.value == http.ErrAbortHandler {
		panic(http.ErrAbortHandler)
	}
	c.logger.LogAttrs(r.Context(), slog.LevelError, msg, slog.String("event", event),
		slog.String("panic", redactText(fmt.Sprint(p.value), 300)), slog.String("stack", redactText(string(p.stack), 4000)))
}

// amountType is the type of every money field.
var amountType = reflect.TypeOf(Amount(0))

// unreadableMoneyOrStatus returns the first field of n.Unreadable that is a money field or a
// status of the typed event, or "".
func unreadableMoneyOrStatus(n *Notification) string {
	if len(n.Unreadable) == 0 || n.Event == nil {
		return ""
	}
	t := reflect.TypeOf(n.Event).Elem()
	for _, path := range n.Unreadable {
		top := path
		if i := strings.IndexAny(top, ".["); i >= 0 {
			top = top[:i]
		}
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if jsonName(sf) != top && !strings.EqualFold(sf.Name, top) {
				continue
			}
			if sf.Type == amountType || strings.HasSuffix(sf.Type.Name(), "Status") {
				return path
			}
		}
	}
	return ""
}

// refuseUnreadable answers 500 for an event whose money or status field could not be read,
// and says so in the log; it reports whether it did.
func (c *Client) refuseUnreadable(w http.ResponseWriter, r *http.Request, n *Notification) bool {
	field := unreadableMoneyOrStatus(n)
	if field == "" {
		return false
	}
	c.logger.LogAttrs(r.Context(), slog.LevelError, "paycools callback not handled: a money or status field cannot be read; answered 500, PayCools will deliver again",
		slog.String("event", n.EventName), slog.String("field", field))
	writeReply(w, http.StatusInternalServerError, replyServerError)
	return true
}
