package paycools

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
)

// maskedString renders v as its LogValue does (the fields tagged log:"mask" masked to their
// last four characters, Raw left out): "TypeName{name:value ...}". It is the String,
// GoString and Format of every type that holds account numbers, mobile numbers or pay
// tokens, so that no fmt verb prints them whole.
func maskedString(v any) string {
	var b strings.Builder
	b.WriteString(reflect.Indirect(reflect.ValueOf(v)).Type().Name())
	writeGroup(&b, maskedAttrs(reflect.ValueOf(v)))
	return b.String()
}

func writeGroup(b *strings.Builder, attrs []slog.Attr) {
	b.WriteByte('{')
	for i, a := range attrs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a.Key)
		b.WriteByte(':')
		if a.Value.Kind() == slog.KindGroup {
			writeGroup(b, a.Value.Group())
			continue
		}
		b.WriteString(a.Value.String())
	}
	b.WriteByte('}')
}

// String renders the value with its masked fields masked, as LogValue does.
func (x WebPaymentCreateParams) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x WebPaymentCreateParams) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x WebPaymentCreateParams) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, maskedString(x))
}

// String renders the value with its masked fields masked, as LogValue does.
func (x QRCodeCreateParams) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x QRCodeCreateParams) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x QRCodeCreateParams) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, maskedString(x)) }

// String renders the value with its masked fields masked, as LogValue does.
func (x CheckoutCreateParams) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x CheckoutCreateParams) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x CheckoutCreateParams) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, maskedString(x)) }

// String renders the value with its masked fields masked, as LogValue does.
func (x PayoutCreateParams) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x PayoutCreateParams) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x PayoutCreateParams) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, maskedString(x)) }

// String renders the value with its masked fields masked, as LogValue does.
func (x DirectDebitAuthorizationGetParams) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x DirectDebitAuthorizationGetParams) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x DirectDebitAuthorizationGetParams) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, maskedString(x))
}

// String renders the value with its masked fields masked, as LogValue does.
func (x DirectDebitAuthorizationWaitParams) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x DirectDebitAuthorizationWaitParams) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x DirectDebitAuthorizationWaitParams) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, maskedString(x))
}

// String renders the value with its masked fields masked, as LogValue does.
func (x DirectDebitAuthorizationCancelParams) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x DirectDebitAuthorizationCancelParams) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x DirectDebitAuthorizationCancelParams) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, maskedString(x))
}

// String renders the value with its masked fields masked, as LogValue does.
func (x DirectDebitPaymentCreateParams) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x DirectDebitPaymentCreateParams) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x DirectDebitPaymentCreateParams) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, maskedString(x))
}

// String renders the value with its masked fields masked, as LogValue does.
func (x BankTransferBatchCreateParams) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x BankTransferBatchCreateParams) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x BankTransferBatchCreateParams) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, maskedString(x))
}

// String renders the value with its masked fields masked, as LogValue does.
func (x VirtualAccountCreateParams) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x VirtualAccountCreateParams) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x VirtualAccountCreateParams) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, maskedString(x))
}

// String renders the value with its masked fields masked, as LogValue does.
func (x VirtualAccountBatchCreateParams) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x VirtualAccountBatchCreateParams) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x VirtualAccountBatchCreateParams) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, maskedString(x))
}

// String renders the value with its masked fields masked, as LogValue does.
func (x RepaymentVerification) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x RepaymentVerification) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x RepaymentVerification) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, maskedString(x)) }

// String renders the value with its masked fields masked, as LogValue does.
func (x BankTransferPaymentNotification) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x BankTransferPaymentNotification) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x BankTransferPaymentNotification) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, maskedString(x))
}

// String renders the value with its masked fields masked, as LogValue does.
func (x DirectDebitAuthorizationNotification) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x DirectDebitAuthorizationNotification) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x DirectDebitAuthorizationNotification) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, maskedString(x))
}

// The results and list pages below hold account numbers, mobile numbers or pay tokens, in a
// field tagged log:"mask", in a list element or in Raw. They print as their LogValue does,
// through the same maskedString as the params above; TestMaskedTypesPrintNoMaskedValue walks
// every such type of the package.

// LogValue renders the value for slog with its masked fields masked and Raw left out.
func (x BankTransferAccounts) LogValue() slog.Value { return maskedLogValue(x) }

// LogValue renders the value for slog with its masked fields masked and Raw left out.
func (x DirectDebitAuthorizations) LogValue() slog.Value { return maskedLogValue(x) }

// LogValue renders the value for slog with its masked fields masked and Raw left out.
func (x PaymentStatement) LogValue() slog.Value { return maskedLogValue(x) }

// String renders the value with its masked fields masked, as LogValue does.
func (x BankTransferAccount) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x BankTransferAccount) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x BankTransferAccount) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, maskedString(x)) }

// String renders the value with its masked fields masked, as LogValue does.
func (x CheckoutAddress) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x CheckoutAddress) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x CheckoutAddress) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, maskedString(x)) }

// String renders the value with its masked fields masked, as LogValue does.
func (x DirectDebitAuthorizationCancelResult) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x DirectDebitAuthorizationCancelResult) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x DirectDebitAuthorizationCancelResult) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, maskedString(x))
}

// String renders the value with its masked fields masked, as LogValue does.
func (x DirectDebitPayment) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x DirectDebitPayment) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x DirectDebitPayment) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, maskedString(x))
}

// String renders the value with its masked fields masked, as LogValue does.
func (x DirectDebitToken) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x DirectDebitToken) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x DirectDebitToken) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, maskedString(x)) }

// String renders the value with its masked fields masked, as LogValue does.
func (x PaymentRecord) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x PaymentRecord) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x PaymentRecord) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, maskedString(x)) }

// String renders the value with its masked fields masked, as LogValue does.
func (x WebPayment) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x WebPayment) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x WebPayment) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, maskedString(x)) }

// String renders the value with its masked fields masked, as LogValue does.
func (x BankTransferAccounts) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x BankTransferAccounts) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x BankTransferAccounts) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, maskedString(x)) }

// String renders the value with its masked fields masked, as LogValue does.
func (x DirectDebitAuthorizations) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x DirectDebitAuthorizations) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x DirectDebitAuthorizations) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, maskedString(x))
}

// String renders the value with its masked fields masked, as LogValue does.
func (x PaymentStatement) String() string { return maskedString(x) }

// GoString is String, so that %#v masks too.
func (x PaymentStatement) GoString() string { return maskedString(x) }

// Format writes String for every verb, so that no fmt verb prints a masked field whole.
func (x PaymentStatement) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, maskedString(x)) }

// LogValue renders the notification for slog: the event name, the form, the appId sent
// beside it and the typed event with its account numbers, mobile numbers and tokens masked.
// Param (the unmasked wire data) is left out.
func (n Notification) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("event", n.EventName), slog.String("form", n.Form.String())}
	if n.AppID != "" {
		attrs = append(attrs, slog.String("appId", n.AppID))
	}
	if n.Event != nil {
		attrs = append(attrs, slog.Attr{Key: "data", Value: maskedLogValue(n.Event)})
	}
	return slog.GroupValue(attrs...)
}

// String renders the notification as LogValue does.
func (n Notification) String() string {
	var b strings.Builder
	b.WriteString("Notification")
	writeGroup(&b, n.LogValue().Group())
	return b.String()
}

// GoString is String, so that %#v masks too.
func (n Notification) GoString() string { return n.String() }

// Format writes String for every verb.
func (n Notification) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, n.String()) }

// keyPairPublic is what KeyPair shows of itself: never the private key.
func (k KeyPair) keyPairPublic() string {
	return fmt.Sprintf("KeyPair{PrivateKey:[redacted] PublicKeyBase64:%s}", k.PublicKeyBase64)
}

// String shows the public key only; the private key is reached through its fields.
func (k KeyPair) String() string { return k.keyPairPublic() }

// GoString shows the public key only.
func (k KeyPair) GoString() string { return k.keyPairPublic() }

// Format shows the public key only, for every verb.
func (k KeyPair) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, k.keyPairPublic()) }

// LogValue shows the public key only.
func (k KeyPair) LogValue() slog.Value {
	return slog.GroupValue(slog.String("privateKey", "[redacted]"), slog.String("publicKeyBase64", k.PublicKeyBase64))
}

// MarshalJSON writes the public key only ({"publicKeyPem","publicKeyBase64"}): a key pair
// marshalled into a config dump or an API answer never carries the private key. Write
// PrivateKeyPEM to its secret store explicitly.
func (k KeyPair) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		PublicKeyPEM    string `json:"publicKeyPem"`
		PublicKeyBase64 string `json:"publicKeyBase64"`
	}{string(k.PublicKeyPEM), k.PublicKeyBase64})
}

// secretText is a secret the client holds (the callback secret). Every way of printing it
// (fmt verbs, slog, JSON, text) shows "[redacted]". The Client holds it behind a pointer: fmt
// prints an unexported field without its methods, and a pointer below the top level only as
// an address, so that printing a copy of a Client never shows it either.
type secretText string

const redactedMark = "[redacted]"

func (s secretText) String() string               { return redactedMark }
func (s secretText) GoString() string             { return redactedMark }
func (s secretText) Format(f fmt.State, _ rune)   { _, _ = io.WriteString(f, redactedMark) }
func (s secretText) LogValue() slog.Value         { return slog.StringValue(redactedMark) }
func (s secretText) MarshalText() ([]byte, error) { return []byte(redactedMark), nil }

// clientSummary is what a Client shows of itself: the appId, host, dialect and whether a
// callback secret and a platform key are set, never the secret, the signer or the keys.
func (c *Client) clientSummary() string {
	if c == nil {
		return "paycools.Client(nil)"
	}
	return fmt.Sprintf("paycools.Client{appId:%s baseURL:%s dialect:%s callbackSecret:%s verifyKey:%t}",
		c.appID, c.baseURL, c.dialect, c.secretState(), len(c.platformKey) > 0)
}

func (c *Client) secretState() string {
	if len(c.callbackSecret) == 0 {
		return "unset"
	}
	return redactedMark
}

// String describes the client (appId, host, dialect) without its secrets.
func (c *Client) String() string { return c.clientSummary() }

// GoString is String, so that %#v hides the secrets too.
func (c *Client) GoString() string { return c.clientSummary() }

// Format writes String for every fmt verb: no verb prints the callback secret or the signer.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.clientSummary()) }

// LogValue describes the client for slog (appId, host, dialect) without its secrets.
func (c *Client) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("paycools.Client(nil)")
	}
	return slog.GroupValue(slog.String("appId", c.appID), slog.String("baseURL", c.baseURL),
		slog.String("dialect", c.dialect.String()), slog.String("callbackSecret", c.secretState()),
		slog.Bool("verifyKey", len(c.platformKey) > 0))
}
