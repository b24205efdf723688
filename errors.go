package paycools

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// APIError is an answer from PayCools in its response envelope with a code outside the
// success set. Compare Code (or use errors.Is with a sentinel such as ErrDuplicateOrder),
// never Message: Message is the text the tenant sent.
type APIError struct {
	// Code is the PayCools response code, e.g. 21007.
	Code int
	// Message is the text PayCools sent with the code.
	Message string
	// HTTPStatus is the HTTP status of the answer (PayCools usually answers 200).
	HTTPStatus int
	// Operation is the SDK operation that got this answer; empty on sentinels.
	Operation Operation
	// Response is the HTTP metadata of the answer (status, headers, request id).
	Response *ResponseMeta
	// ClockSkew is how far the client's clock was ahead of PayCools' (from the answer's Date
	// header) on a timestamp refusal (21008, 21009); 0 when unknown or for other codes.
	ClockSkew time.Duration
	// OutcomeUnknown is true on a money-moving create (payout, refund, web payment, checkout,
	// direct-debit payment) when the code does not prove that nothing was created
	// (NothingCreated is false: 21000, 21011, 21014, 21022, 21023, their PH twins, and any code
	// the SDK does not know). The create may exist: query by merchant order id before sending
	// it again, never under a new order id. The SDK's outcome resolution has already done so once.
	OutcomeUnknown bool
}

func sentinel(code int) *APIError {
	return &APIError{Code: code, Message: codeTable[code].message}
}

// Error describes the answer; it never contains request data, keys or signatures.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("paycools: ")
	if e.Operation != "" {
		b.WriteString(string(e.Operation))
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "code %d", e.Code)
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", redactText(e.Message, 200))
	}
	if e.OutcomeUnknown {
		b.WriteString(" (outcome unknown: the code does not prove that nothing was created)")
	}
	if r := remedyOf(e); r != "" {
		b.WriteString(". ")
		b.WriteString(r)
	}
	return b.String()
}

// Is reports whether target is a sentinel *APIError that this error matches: the same code, a
// code documented as equivalent (a legacy code and its open-api twin), or, for
// ErrTransactionNotFound, code 21010 with a "not found" message (docs/codes.md §2 note).
func (e *APIError) Is(target error) bool {
	t, ok := target.(*APIError)
	if !ok || t == nil {
		return false
	}
	if t.Code == e.Code {
		return true
	}
	for _, c := range codeTable[e.Code].also {
		if c == t.Code {
			return true
		}
	}
	if t.Code == ErrTransactionNotFound.Code && e.Code == ErrAmountExceedsLimit.Code &&
		strings.Contains(strings.ToLower(e.Message), "not found") {
		return true
	}
	return false
}

// Retryable reports whether sending the same request again may help (docs/codes.md "retry may
// help?"). For a write, see also NothingCreated: the SDK resends writes automatically only when
// both are true.
func (e *APIError) Retryable() bool {
	return codeTable[e.Code].retry != retryNever
}

// NothingCreated reports whether the code proves that this request created, changed and queued
// nothing at PayCools. Unknown codes prove nothing.
func (e *APIError) NothingCreated() bool {
	return codeTable[e.Code].nothingCreated
}

// HTTPError is an HTTP answer that is not a PayCools response envelope: an HTML error page,
// an empty or truncated body, a body over the size cap, or a bare 429/5xx from a proxy.
type HTTPError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Body is a short, redacted snippet of the body, for diagnosis only.
	Body string
	// RetryAfter is the wait the server asked for with Retry-After (429/503), or 0.
	RetryAfter time.Duration
	// OutcomeUnknown is true when the request may have been processed by PayCools (2xx, 3xx
	// and 5xx answers); false when it was provably not processed (429 and other 4xx).
	OutcomeUnknown bool
	// Response is the HTTP metadata of the answer (status, headers, request id).
	Response *ResponseMeta
	// Operation is the SDK operation that got this answer.
	Operation Operation

	hint string // what the answer suggests, e.g. the other dialect on a 404 (see dialectHint)
}

// Error describes the answer without request data.
func (e *HTTPError) Error() string {
	s := fmt.Sprintf("paycools: %s: HTTP %d without a PayCools envelope", e.Operation, e.StatusCode)
	if e.OutcomeUnknown {
		s += " (outcome unknown)"
	}
	if e.Body != "" {
		s += ": " + e.Body
	}
	if e.hint != "" {
		s += ". " + e.hint
	}
	return s
}

// dialectHint is what a 404 without an envelope on path suggests when the client speaks d:
// the host knows no such path, and the commonest reason is a host of another dialect (a PH
// host behind a proxy, which the SDK cannot recognise by its name, or the reverse).
func dialectHint(d Dialect, path string) string {
	var names, options []string
	for _, s := range dialects {
		if s.dialect != d {
			names = append(names, "the "+s.name+" dialect")
			options = append(options, "paycools.WithDialect(paycools."+s.goName+")")
		}
	}
	return fmt.Sprintf("The host has no %s path: it may speak %s, not %s (a PH host behind a proxy is not recognised by its name); run `paycools probe` against it, then set %s if that is what it says",
		path, strings.Join(names, " or "), d, strings.Join(options, " or "))
}

// TransportError is a failure to exchange bytes with PayCools: DNS, dial, TLS, timeout,
// connection reset, a cancelled context.
type TransportError struct {
	// Operation is the SDK operation that failed.
	Operation Operation
	// OutcomeUnknown is true when request bytes may have reached PayCools (the failure came
	// after a connection was obtained: timeout, reset, EOF while reading the answer), and false
	// when the request provably was not sent (DNS failure, refused dial, TLS handshake failure,
	// context done before sending). A money-moving call with OutcomeUnknown may have happened:
	// query it by its merchant order id before sending anything new.
	OutcomeUnknown bool
	// Err is the underlying error (unwrapped by errors.Is / errors.As).
	Err error
}

// Error describes the failure.
func (e *TransportError) Error() string {
	state := "not sent"
	if e.OutcomeUnknown {
		state = "outcome unknown"
	}
	return fmt.Sprintf("paycools: %s: %s: %s", e.Operation, state, redactText(fmt.Sprint(e.Err), 300))
}

// Unwrap returns the underlying error.
func (e *TransportError) Unwrap() error { return e.Err }

// IsOutcomeUnknown reports whether err says that the request may have reached PayCools and
// been acted on: a *TransportError, *HTTPError or *APIError with OutcomeUnknown set, anywhere
// in err's chain. For a money-moving call, such an error means "query before you retry", never
// "it failed".
func IsOutcomeUnknown(err error) bool {
	var te *TransportError
	if errors.As(err, &te) && te.OutcomeUnknown {
		return true
	}
	var he *HTTPError
	if errors.As(err, &he) && he.OutcomeUnknown {
		return true
	}
	var ae *APIError
	return errors.As(err, &ae) && ae.OutcomeUnknown
}

// FieldError is one problem with one request field.
type FieldError struct {
	// Field is the JSON name of the field in param, with a path for nested values
	// ("goodsDetails[0].name").
	Field string
	// Problem says what is wrong, without echoing the value.
	Problem string
}

// ValidationError lists every problem found in a request before anything was sent. Nothing
// reached PayCools.
type ValidationError struct {
	// Operation is the SDK operation whose params were refused.
	Operation Operation
	// Fields holds every problem found, in field order.
	Fields []FieldError
}

// Error lists every problem.
func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "paycools: %s: invalid params (nothing was sent): ", e.Operation)
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Field)
		b.WriteString(": ")
		b.WriteString(f.Problem)
	}
	return b.String()
}

// Has reports whether a problem was found for the field with this JSON name (or path).
func (e *ValidationError) Has(field string) bool {
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// UnsupportedOperationError is an operation the client's dialect has no route for. Nothing was
// sent. Give the route with WithEndpoint(op, method, path) if PayCools told you one.
type UnsupportedOperationError struct {
	// Operation is the operation called.
	Operation Operation
	// Dialect is the client's dialect.
	Dialect Dialect
}

// Error names the operation, the dialect and the option that supplies a route.
func (e *UnsupportedOperationError) Error() string {
	return fmt.Sprintf("paycools: %s has no route in the %s dialect (nothing was sent); if PayCools gave you one, set it with paycools.WithEndpoint(%q, method, path)",
		e.Operation, e.Dialect, string(e.Operation))
}

// SignatureError is a key or signature problem: a callback whose signature does not verify,
// a malformed sign value, a missing platform key, or a key that cannot be used. Its text names
// the problem but never contains a key or a signature.
type SignatureError struct {
	// Reason says what was wrong.
	Reason string
	// Err is an underlying error, if any.
	Err error
}

// Error gives the reason.
func (e *SignatureError) Error() string {
	if e.Err != nil {
		return errorPrefix + e.Reason + ": " + strings.TrimPrefix(e.Err.Error(), errorPrefix)
	}
	return errorPrefix + e.Reason
}

// Unwrap returns the underlying error.
func (e *SignatureError) Unwrap() error { return e.Err }

// errorPrefix starts every error text of the SDK, once.
const errorPrefix = "paycools: "

// wrappedError is err seen from where, a caller that names itself ("paycools: NewClient",
// "WithPlatformPublicKey"): its text is where + ": " + err's text without its own "paycools: ",
// so that an SDK error wrapped by another SDK call does not repeat the prefix. errors.Is and
// errors.As reach err.
type wrappedError struct {
	where string
	err   error
}

// wrapError returns err as seen from where (see wrappedError); nil stays nil.
func wrapError(where string, err error) error {
	if err == nil {
		return nil
	}
	return &wrappedError{where: where, err: err}
}

func (e *wrappedError) Error() string {
	return e.where + ": " + strings.TrimPrefix(e.err.Error(), errorPrefix)
}

func (e *wrappedError) Unwrap() error { return e.err }
