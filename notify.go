package paycools

// Callbacks: the Notification, its forms and the typed events (registered by each family
// file). Taking a body apart and verifying it is in notifyverify.go, the HTTP handlers in
// notifyhandler.go and notifyrepayment.go, several appIds on one URL in notifymux.go.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
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
	// AppID is the appId of the merchant application whose client verified the callback (the
	// tenant, with NotificationMux). A callback that names another appId (the signed appId of
	// a flat body, the appId of param, or the one beside param) is refused with 401 before
	// anything is decoded.
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
	for _, a := range c.spec.callbackForms {
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
func registerEventPrefix[T any, PT interface {
	*T
	eventNamer
}](prefix string) {
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

// eventNamer is a callback event: its method returns the decoded top-level eventName, which
// confirms the name the fast path found by a byte search.
type eventNamer interface{ eventName() string }

// registerEvent declares that the events named carry a T in their param. It is called only
// from init functions; the compiler checks that *T is an eventNamer.
func registerEvent[T any, PT interface {
	*T
	eventNamer
}](names ...string) {
	for _, n := range names {
		if _, dup := eventRegistry[n]; dup {
			panic("paycools: event registered twice: " + n)
		}
		eventRegistry[n] = func() any { return new(T) }
	}
}

// ParseNotification verifies one callback body and decodes it, in every form the client's
// dialect accepts (docs/dialects.md §10): the envelope (RSA over the exact param bytes, with
// the platform public key of WithPlatformPublicKey) in both dialects; in the PH dialect also
// the flat forms (SHA-1 with WithCallbackSecret, or RSA over the sorted k=v string). The
// signature is checked over the exact received values before anything is decoded; any problem
// is a *SignatureError and nothing is decoded. A form whose key or secret is not configured
// always fails: verification is never skipped. With several keys or secrets (rotation), each
// is tried in order. A verified callback that names another appId than the client's is
// refused (docs/dialects.md §10.3).
func (c *Client) ParseNotification(body []byte) (*Notification, error) {
	n, nerr := c.parseNotification(context.Background(), body)
	if nerr != nil {
		return nil, nerr.err
	}
	return n, nil
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

// decodeEvent decodes a verified param into the event struct ev (a pointer) and returns the
// decoded top-level eventName.
func decodeEvent(param []byte, ev any, warn func(string, error)) string {
	rv := reflect.ValueOf(ev).Elem()
	rv.Set(reflect.Zero(rv.Type()))
	decodeTolerant(param, rv, warn)
	finishDecode(param, rv, warn)
	storeRaw(rv, json.RawMessage(param)) // shared with Notification.Param: neither is written to
	if e, ok := ev.(eventNamer); ok {
		return e.eventName()
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
